package org.ferrymq.codec.encoder;

import java.nio.ByteBuffer;
import org.ferrymq.codec.wire.Encoding;
import org.ferrymq.codec.wire.PropertiesWriter;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;

/**
 * PUBLISH (section 3.3). The topic is written straight from the String into the output array and
 * the payload copied once; properties are never omitted (a PUBLISH too large is dropped whole,
 * [MQTT-3.1.2-25]).
 */
public final class PublishEncoder implements PacketEncoder<Publish> {
  public static final PublishEncoder INSTANCE = new PublishEncoder();

  private PublishEncoder() {
  }

  @Override
  public int remainingLength(Publish p, ProtocolVersion version, int omit) {
    if (p.topic().isEmpty() && !version.isV5()) {
      throw new IllegalArgumentException("a PUBLISH with a Topic Alias and no topic name cannot"
          + " be encoded for MQTT 3");
    }
    int len = Encoding.stringSize(p.topic()) + p.payload().length;
    if (p.qos() != QoS.AT_MOST_ONCE) {
      len += 2;
    }
    if (version.isV5()) {
      len += PropertiesWriter.blockSize(propertiesLength(p.properties()));
    }
    return len;
  }

  @Override
  public int flags(Publish p) {
    return (p.dup() ? 0x08 : 0) | p.qos().value() << 1 | (p.retain() ? 0x01 : 0);
  }

  @Override
  public void writeBody(Publish p, ProtocolVersion version, int omit, ByteBuffer out) {
    Encoding.writeString(p.topic(), out);
    if (p.qos() != QoS.AT_MOST_ONCE) {
      out.putShort((short) p.packetId());
    }
    if (version.isV5()) {
      Properties props = p.properties();
      PropertiesWriter.write(props, PacketType.PUBLISH, 0, propertiesLength(props), out);
    }
    out.put(p.payload());
  }

  private static int propertiesLength(Properties props) {
    return PropertiesWriter.length(props, PacketType.PUBLISH, 0);
  }
}
