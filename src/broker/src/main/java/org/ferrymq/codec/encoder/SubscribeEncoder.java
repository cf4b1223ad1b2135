package org.ferrymq.codec.encoder;

import java.nio.ByteBuffer;
import org.ferrymq.codec.wire.Encoding;
import org.ferrymq.codec.wire.PropertiesWriter;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;

/**
 * SUBSCRIBE (section 3.8), sent by clients. MQTT 3 carries only the requested QoS of each
 * subscription; the MQTT 5 options are dropped.
 */
public final class SubscribeEncoder implements PacketEncoder<Subscribe> {
  public static final SubscribeEncoder INSTANCE = new SubscribeEncoder();

  private SubscribeEncoder() {
  }

  @Override
  public int remainingLength(Subscribe s, ProtocolVersion version, int omit) {
    int len = 2;
    if (version.isV5()) {
      len += PropertiesWriter.blockSize(
          PropertiesWriter.length(s.properties(), PacketType.SUBSCRIBE, omit));
    }
    for (Subscription sub : s.subscriptions()) {
      len += Encoding.stringSize(sub.filter()) + 1;
    }
    return len;
  }

  @Override
  public int flags(Subscribe s) {
    return 0b0010;
  }

  @Override
  public void writeBody(Subscribe s, ProtocolVersion version, int omit, ByteBuffer out) {
    out.putShort((short) s.packetId());
    if (version.isV5()) {
      PropertiesWriter.write(s.properties(), PacketType.SUBSCRIBE, omit,
          PropertiesWriter.length(s.properties(), PacketType.SUBSCRIBE, omit), out);
    }
    for (Subscription sub : s.subscriptions()) {
      Encoding.writeString(sub.filter(), out);
      int options = sub.maxQos().value();
      if (version.isV5()) {
        options |= (sub.noLocal() ? 0x04 : 0) | (sub.retainAsPublished() ? 0x08 : 0)
            | sub.retainHandling().value() << 4;
      }
      out.put((byte) options);
    }
  }
}
