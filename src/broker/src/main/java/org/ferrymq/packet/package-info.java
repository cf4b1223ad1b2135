/**
 * MQTT control packets as immutable values, shared by the codec and the engine.
 *
 * <p>Every packet is a record validated at construction: a value that exists is well formed.
 * Wire-only state (packet identifier, DUP, topic alias) lives on {@link org.ferrymq.packet.Publish};
 * the application message the engine routes is a separate type in the engine. Byte arrays held by
 * packets are never mutated after construction by convention, so they can be shared between
 * subscribers without copying.
 */
package org.ferrymq.packet;
