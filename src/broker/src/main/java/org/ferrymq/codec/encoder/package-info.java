/**
 * Encoding internals: one stateless encoder per packet type (shared where layouts are
 * identical), looked up in {@link org.ferrymq.codec.encoder.PacketEncoders}. Callers use
 * {@link org.ferrymq.codec.MqttEncoder}.
 */
package org.ferrymq.codec.encoder;
