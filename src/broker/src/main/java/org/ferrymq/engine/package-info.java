/**
 * The broker engine: transport-neutral, plain Java.
 *
 * <p>Concurrency policy: every client identifier hashes to one {@link org.ferrymq.engine.Lane}
 * (a serial executor); its connection handler and session run only there, so they hold no
 * locks. Transports decode bytes on their own thread and hand whole packets to the lane.
 * Routing runs on the publisher's lane and hands each delivery to the subscriber's lane, which
 * keeps one publisher's messages in order for each subscriber. Shared structures touched from
 * several lanes (session registry, subscription index, retained tree, counters) are concurrent
 * and lock-free for readers.
 */
package org.ferrymq.engine;
