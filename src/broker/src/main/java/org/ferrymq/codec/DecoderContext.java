package org.ferrymq.codec;

import org.ferrymq.packet.ProtocolVersion;

/**
 * What the decoder needs to know about the connection: the negotiated protocol version and the
 * largest packet this side accepts. Immutable; the engine swaps in a new context once CONNECT
 * (or, on the client side, its own CONNECT) has fixed the version.
 *
 * @param version the negotiated version, or {@code null} before CONNECT was received: then only
 *     CONNECT may be decoded and anything else is a PROTOCOL_ERROR [MQTT-3.1.0-1]
 * @param maxPacketSize the total packet size limit in bytes, fixed header included
 * @param serverSide {@code true} when decoding in the broker (packets sent by a client), which
 *     enables the checks that depend on direction, e.g. no Subscription Identifier in a
 *     client's PUBLISH [MQTT-3.3.4-6]; {@code false} for a test or bridge client
 */
public record DecoderContext(ProtocolVersion version, int maxPacketSize, boolean serverSide) {

  /** Largest size any MQTT packet can have: 1 type byte, 4 length bytes, 268,435,455 body. */
  public static final int MAX_PACKET_SIZE = 1 + 4 + 268_435_455;

  public DecoderContext {
    if (maxPacketSize < 2) {
      throw new IllegalArgumentException("maxPacketSize must be at least 2, was " + maxPacketSize);
    }
  }

  /** Server-side context, the one the broker uses. */
  public DecoderContext(ProtocolVersion version, int maxPacketSize) {
    this(version, maxPacketSize, true);
  }

  /** @return a server-side context before CONNECT, accepting packets up to {@code maxPacketSize} */
  public static DecoderContext beforeConnect(int maxPacketSize) {
    return new DecoderContext(null, maxPacketSize, true);
  }

  /** @return this context with the version fixed by CONNECT */
  public DecoderContext withVersion(ProtocolVersion newVersion) {
    return new DecoderContext(newVersion, maxPacketSize, serverSide);
  }
}
