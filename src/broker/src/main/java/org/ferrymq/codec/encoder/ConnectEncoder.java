package org.ferrymq.codec.encoder;

import java.nio.ByteBuffer;
import org.ferrymq.codec.wire.Encoding;
import org.ferrymq.codec.wire.PropertiesWriter;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Will;

/**
 * CONNECT (section 3.1), sent by clients. Protocol name and level come from the version passed to
 * the encoder, not from the record, so one Connect can be tried with several versions.
 */
public final class ConnectEncoder implements PacketEncoder<Connect> {
  public static final ConnectEncoder INSTANCE = new ConnectEncoder();

  private ConnectEncoder() {
  }

  @Override
  public int remainingLength(Connect c, ProtocolVersion version, int omit) {
    if (!version.isV5() && c.password() != null && c.username() == null) {
      throw new IllegalArgumentException("[MQTT-3.1.2-22] MQTT 3 password needs a user name");
    }
    int len = Encoding.stringSize(version.protocolName()) + 1 + 1 + 2;
    if (version.isV5()) {
      len += PropertiesWriter.blockSize(
          PropertiesWriter.length(c.properties(), PacketType.CONNECT, omit));
    }
    len += Encoding.stringSize(c.clientId());
    Will will = c.will();
    if (will != null) {
      if (version.isV5()) {
        len += PropertiesWriter.blockSize(PropertiesWriter.length(will.properties(), null, 0));
      }
      len += Encoding.stringSize(will.topic()) + Encoding.binarySize(will.payload());
    }
    if (c.username() != null) {
      len += Encoding.stringSize(c.username());
    }
    if (c.password() != null) {
      len += Encoding.binarySize(c.password());
    }
    return len;
  }

  @Override
  public void writeBody(Connect c, ProtocolVersion version, int omit, ByteBuffer out) {
    Encoding.writeString(version.protocolName(), out);
    out.put((byte) version.level());
    out.put((byte) connectFlags(c));
    out.putShort((short) c.keepAlive());
    if (version.isV5()) {
      PropertiesWriter.write(c.properties(), PacketType.CONNECT, omit,
          PropertiesWriter.length(c.properties(), PacketType.CONNECT, omit), out);
    }
    Encoding.writeString(c.clientId(), out);
    Will will = c.will();
    if (will != null) {
      if (version.isV5()) {
        PropertiesWriter.write(will.properties(), null, 0,
            PropertiesWriter.length(will.properties(), null, 0), out);
      }
      Encoding.writeString(will.topic(), out);
      Encoding.writeBinary(will.payload(), out);
    }
    if (c.username() != null) {
      Encoding.writeString(c.username(), out);
    }
    if (c.password() != null) {
      Encoding.writeBinary(c.password(), out);
    }
  }

  private static int connectFlags(Connect c) {
    int flags = c.cleanStart() ? 0x02 : 0;
    Will will = c.will();
    if (will != null) {
      flags |= 0x04 | will.qos().value() << 3 | (will.retain() ? 0x20 : 0);
    }
    if (c.password() != null) {
      flags |= 0x40;
    }
    if (c.username() != null) {
      flags |= 0x80;
    }
    return flags;
  }
}
