package org.ferrymq.codec.encoder;

import java.nio.ByteBuffer;
import org.ferrymq.codec.wire.PropertiesWriter;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.SubAck;

/**
 * SUBACK (section 3.9). MQTT 3 sends {@link ReasonCode#v3SubAckReturnCode()}: the granted QoS or
 * 0x80 for any failure.
 */
public final class SubAckEncoder implements PacketEncoder<SubAck> {
  public static final SubAckEncoder INSTANCE = new SubAckEncoder();

  private SubAckEncoder() {
  }

  @Override
  public int remainingLength(SubAck s, ProtocolVersion version, int omit) {
    int len = 2 + s.reasonCodes().size();
    if (version.isV5()) {
      len += PropertiesWriter.blockSize(
          PropertiesWriter.length(s.properties(), PacketType.SUBACK, omit));
    }
    return len;
  }

  @Override
  public void writeBody(SubAck s, ProtocolVersion version, int omit, ByteBuffer out) {
    out.putShort((short) s.packetId());
    boolean v5 = version.isV5();
    if (v5) {
      PropertiesWriter.write(s.properties(), PacketType.SUBACK, omit,
          PropertiesWriter.length(s.properties(), PacketType.SUBACK, omit), out);
    }
    for (ReasonCode rc : s.reasonCodes()) {
      out.put((byte) (v5 ? rc.value() : rc.v3SubAckReturnCode()));
    }
  }
}
