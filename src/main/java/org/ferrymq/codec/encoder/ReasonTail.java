package org.ferrymq.codec.encoder;

import java.nio.ByteBuffer;
import org.ferrymq.codec.wire.PropertiesWriter;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ReasonCode;

/**
 * The MQTT 5 "reason code, then properties" tail of acknowledgements, DISCONNECT and AUTH, with
 * its short forms: nothing for Success without properties, the reason code alone without
 * properties (3.4.2.1, 3.14.2.1, 3.15.2.1).
 */
final class ReasonTail {
  private ReasonTail() {
  }

  /** @return the size of the tail given the property length from {@link PropertiesWriter} */
  static int size(ReasonCode reasonCode, int propertiesLength) {
    if (propertiesLength > 0) {
      return 1 + PropertiesWriter.blockSize(propertiesLength);
    }
    return reasonCode == ReasonCode.SUCCESS ? 0 : 1;
  }

  static void write(ReasonCode reasonCode, Properties props, PacketType type, int omit,
      ByteBuffer out) {
    int propertiesLength = PropertiesWriter.length(props, type, omit);
    if (propertiesLength == 0 && reasonCode == ReasonCode.SUCCESS) {
      return;
    }
    out.put((byte) reasonCode.value());
    if (propertiesLength > 0) {
      PropertiesWriter.write(props, type, omit, propertiesLength, out);
    }
  }
}
