package org.ferrymq.codec.decoder;

import static org.ferrymq.codec.MalformedPacketException.malformed;

import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.packet.ProtocolVersion;

/** Checks of the reserved fixed header flags (MQTT 5 table 2-2, 3.1.1 table 2.2). */
final class Flags {
  /** PUBREL, SUBSCRIBE and UNSUBSCRIBE. */
  static final int QOS_1 = 0b0010;
  static final int NONE = 0b0000;

  private Flags() {
  }

  /**
   * Rejects flags other than {@code expected} [MQTT-2.1.3-1] (3.1.1: [MQTT-2.2.2-1],
   * [MQTT-2.2.2-2]). MQTT 3.1 clients may set DUP on a retried PUBREL, SUBSCRIBE or UNSUBSCRIBE
   * (3.1 section 2.1), so for 3.1 the DUP bit is ignored there.
   */
  static void require(int flags, int expected, String packet, ProtocolVersion version)
      throws MalformedPacketException {
    int checked = version == ProtocolVersion.MQTT_3_1 && expected == QOS_1 ? flags & 0b0111 : flags;
    if (checked != expected) {
      throw malformed(String.format("[MQTT-2.1.3-1] %s fixed header flags must be %4s, were %4s",
          packet, Integer.toBinaryString(expected), Integer.toBinaryString(flags))
          .replace(' ', '0'));
    }
  }
}
