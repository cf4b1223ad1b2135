/**
 * The MQTT codec: bytes in, packet records out, and back. No I/O, no session state, no transport
 * types; {@link org.ferrymq.codec.MqttDecoder} works on any {@link java.nio.ByteBuffer} the
 * transport fills, {@link org.ferrymq.codec.MqttEncoder} returns exactly sized heap buffers.
 *
 * <p>The codec enforces every rule that needs only the bytes of one packet, the protocol version
 * and the size limit (see {@link org.ferrymq.codec.DecoderContext}); rules that need session
 * state (Topic Alias maximum, Receive Maximum, client identifier policy, second CONNECT aside)
 * belong to the engine.
 */
package org.ferrymq.codec;
