package org.ferrymq.codec.encoder;

import java.nio.ByteBuffer;
import org.ferrymq.codec.wire.Encoding;
import org.ferrymq.codec.wire.PropertiesWriter;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Unsubscribe;

/** UNSUBSCRIBE (section 3.10), sent by clients. */
public final class UnsubscribeEncoder implements PacketEncoder<Unsubscribe> {
  public static final UnsubscribeEncoder INSTANCE = new UnsubscribeEncoder();

  private UnsubscribeEncoder() {
  }

  @Override
  public int remainingLength(Unsubscribe u, ProtocolVersion version, int omit) {
    int len = 2;
    if (version.isV5()) {
      len += PropertiesWriter.blockSize(
          PropertiesWriter.length(u.properties(), PacketType.UNSUBSCRIBE, omit));
    }
    for (String filter : u.filters()) {
      len += Encoding.stringSize(filter);
    }
    return len;
  }

  @Override
  public int flags(Unsubscribe u) {
    return 0b0010;
  }

  @Override
  public void writeBody(Unsubscribe u, ProtocolVersion version, int omit, ByteBuffer out) {
    out.putShort((short) u.packetId());
    if (version.isV5()) {
      PropertiesWriter.write(u.properties(), PacketType.UNSUBSCRIBE, omit,
          PropertiesWriter.length(u.properties(), PacketType.UNSUBSCRIBE, omit), out);
    }
    for (String filter : u.filters()) {
      Encoding.writeString(filter, out);
    }
  }
}
