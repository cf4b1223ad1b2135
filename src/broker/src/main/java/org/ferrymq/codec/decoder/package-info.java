/**
 * Decoding internals: {@link org.ferrymq.codec.decoder.FrameDecoder} for the fixed header and
 * one stateless decoder per packet type, looked up in
 * {@link org.ferrymq.codec.decoder.PacketDecoders}. Callers use
 * {@link org.ferrymq.codec.MqttDecoder}.
 */
package org.ferrymq.codec.decoder;
