package org.ferrymq.codec;

import java.util.Objects;
import org.ferrymq.packet.ReasonCode;

/**
 * A received packet breaks the wire format or a protocol rule the codec can check on its own.
 * The reason code tells the engine how to answer (MQTT 5 CONNACK or DISCONNECT reason code, or
 * plain connection close for MQTT 3); the message quotes the normative statement that was broken.
 */
public final class MalformedPacketException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ReasonCode reasonCode;

  /**
   * @param reasonCode what to report to the peer, e.g. {@link ReasonCode#MALFORMED_PACKET}
   * @param message the broken rule, starting with its spec id where there is one
   */
  public MalformedPacketException(ReasonCode reasonCode, String message) {
    super(message);
    this.reasonCode = Objects.requireNonNull(reasonCode, "reasonCode");
  }

  /** @return the reason code to report, e.g. MALFORMED_PACKET (0x81) or PROTOCOL_ERROR (0x82) */
  public ReasonCode reasonCode() {
    return reasonCode;
  }

  /** @return a MALFORMED_PACKET exception with the given message */
  public static MalformedPacketException malformed(String message) {
    return new MalformedPacketException(ReasonCode.MALFORMED_PACKET, message);
  }

  /** @return a PROTOCOL_ERROR exception with the given message */
  public static MalformedPacketException protocolError(String message) {
    return new MalformedPacketException(ReasonCode.PROTOCOL_ERROR, message);
  }
}
