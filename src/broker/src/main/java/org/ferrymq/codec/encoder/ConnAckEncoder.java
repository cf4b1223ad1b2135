package org.ferrymq.codec.encoder;

import java.nio.ByteBuffer;
import org.ferrymq.codec.wire.PropertiesWriter;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.ProtocolVersion;

/**
 * CONNACK (section 3.2). MQTT 3 sends the return code of
 * {@link org.ferrymq.packet.ReasonCode#v3ConnectReturnCode()}; MQTT 3.1 has no Session Present
 * flag, so its first byte is always 0.
 */
public final class ConnAckEncoder implements PacketEncoder<ConnAck> {
  public static final ConnAckEncoder INSTANCE = new ConnAckEncoder();

  private ConnAckEncoder() {
  }

  @Override
  public int remainingLength(ConnAck c, ProtocolVersion version, int omit) {
    if (!version.isV5()) {
      return 2;
    }
    return 2 + PropertiesWriter.blockSize(
        PropertiesWriter.length(c.properties(), PacketType.CONNACK, omit));
  }

  @Override
  public void writeBody(ConnAck c, ProtocolVersion version, int omit, ByteBuffer out) {
    boolean sessionPresent = c.sessionPresent() && version != ProtocolVersion.MQTT_3_1;
    out.put((byte) (sessionPresent ? 1 : 0));
    if (!version.isV5()) {
      out.put((byte) c.reasonCode().v3ConnectReturnCode());
      return;
    }
    out.put((byte) c.reasonCode().value());
    PropertiesWriter.write(c.properties(), PacketType.CONNACK, omit,
        PropertiesWriter.length(c.properties(), PacketType.CONNACK, omit), out);
  }
}
