package org.ferrymq.codec.encoder;

import java.nio.ByteBuffer;
import org.ferrymq.codec.wire.PropertiesWriter;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.UnsubAck;

/** UNSUBACK (section 3.11). MQTT 3 sends the packet identifier only. */
public final class UnsubAckEncoder implements PacketEncoder<UnsubAck> {
  public static final UnsubAckEncoder INSTANCE = new UnsubAckEncoder();

  private UnsubAckEncoder() {
  }

  @Override
  public int remainingLength(UnsubAck u, ProtocolVersion version, int omit) {
    if (!version.isV5()) {
      return 2;
    }
    return 2 + u.reasonCodes().size() + PropertiesWriter.blockSize(
        PropertiesWriter.length(u.properties(), PacketType.UNSUBACK, omit));
  }

  @Override
  public void writeBody(UnsubAck u, ProtocolVersion version, int omit, ByteBuffer out) {
    out.putShort((short) u.packetId());
    if (!version.isV5()) {
      return;
    }
    PropertiesWriter.write(u.properties(), PacketType.UNSUBACK, omit,
        PropertiesWriter.length(u.properties(), PacketType.UNSUBACK, omit), out);
    for (ReasonCode rc : u.reasonCodes()) {
      out.put((byte) rc.value());
    }
  }
}
