/**
 * MQTT listeners on Netty: raw TCP (1883), TLS (8883), and MQTT over WebSocket, ws (8083) and
 * wss (8084), usable from unit tests and from the JCA resource adapter alike.
 *
 * <p>{@link org.ferrymq.transport.netty.MqttServer} owns the event loops, whose threads are
 * borrowed from a caller-supplied {@link java.util.concurrent.Executor} (one long-running task per
 * loop), and binds {@link org.ferrymq.transport.netty.BoundListener}s described by {@link
 * org.ferrymq.transport.netty.ListenerSettings}. Each accepted connection is adapted to the
 * {@link org.ferrymq.transport.Transport} contract and handed to a {@link
 * org.ferrymq.transport.ConnectionAcceptor}. No Netty type appears in the public API, so callers
 * need nothing from Netty on their compile path.
 */
package org.ferrymq.transport.netty;
