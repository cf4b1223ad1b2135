package org.ferrymq.codec.encoder;

import java.nio.ByteBuffer;
import org.ferrymq.codec.wire.PropertiesWriter;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ReasonCode;

/**
 * The MQTT 5 "reason code, then properties" tail of acknowledgements, DISCONNECT and AUTH, with
 * its short forms: nothing for Success without properties (3.4.2.1, 3.14.2.1, 3.15.2.1), and the
 * reason code alone without properties, except in AUTH, whose Property Length may only be left
 * out together with the reason code (3.15.2.1; acknowledgements 3.4.2.2.1, DISCONNECT 3.14.2.2.1
 * say a missing Property Length means 0, AUTH does not).
 */
final class ReasonTail {
  private ReasonTail() {
  }

  /** @return the size of the tail given the property length from {@link PropertiesWriter} */
  static int size(ReasonCode reasonCode, int propertiesLength, PacketType type) {
    if (propertiesLength == 0 && reasonCode == ReasonCode.SUCCESS) {
      return 0;
    }
    if (propertiesLength == 0 && type != PacketType.AUTH) {
      return 1;
    }
    return 1 + PropertiesWriter.blockSize(propertiesLength);
  }

  static void write(ReasonCode reasonCode, Properties props, PacketType type, int omit,
      ByteBuffer out) {
    int propertiesLength = PropertiesWriter.length(props, type, omit);
    if (propertiesLength == 0 && reasonCode == ReasonCode.SUCCESS) {
      return;
    }
    out.put((byte) reasonCode.value());
    if (propertiesLength > 0 || type == PacketType.AUTH) {
      PropertiesWriter.write(props, type, omit, propertiesLength, out);
    }
  }
}
