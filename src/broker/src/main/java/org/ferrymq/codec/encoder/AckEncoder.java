package org.ferrymq.codec.encoder;

import java.nio.ByteBuffer;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.ferrymq.codec.wire.PropertiesWriter;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.PubComp;
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.ReasonCode;

/**
 * PUBACK, PUBREC, PUBREL and PUBCOMP (sections 3.4 to 3.7), one class configured per type since
 * the layouts are identical. MQTT 5 uses the short forms of 3.4.2.1: packet identifier only for
 * Success without properties, no Property Length when there are no properties. MQTT 3 sends the
 * packet identifier only.
 *
 * @param <P> the acknowledgement record
 */
public final class AckEncoder<P extends Packet> implements PacketEncoder<P> {
  public static final AckEncoder<PubAck> PUBACK = new AckEncoder<>(PacketType.PUBACK, 0,
      PubAck::packetId, PubAck::reasonCode, PubAck::properties);
  public static final AckEncoder<PubRec> PUBREC = new AckEncoder<>(PacketType.PUBREC, 0,
      PubRec::packetId, PubRec::reasonCode, PubRec::properties);
  public static final AckEncoder<PubRel> PUBREL = new AckEncoder<>(PacketType.PUBREL, 0b0010,
      PubRel::packetId, PubRel::reasonCode, PubRel::properties);
  public static final AckEncoder<PubComp> PUBCOMP = new AckEncoder<>(PacketType.PUBCOMP, 0,
      PubComp::packetId, PubComp::reasonCode, PubComp::properties);

  private final PacketType type;
  private final int fixedFlags;
  private final ToIntFunction<P> packetId;
  private final Function<P, ReasonCode> reasonCode;
  private final Function<P, Properties> properties;

  private AckEncoder(PacketType type, int fixedFlags, ToIntFunction<P> packetId,
      Function<P, ReasonCode> reasonCode, Function<P, Properties> properties) {
    this.type = type;
    this.fixedFlags = fixedFlags;
    this.packetId = packetId;
    this.reasonCode = reasonCode;
    this.properties = properties;
  }

  @Override
  public int remainingLength(P packet, ProtocolVersion version, int omit) {
    if (!version.isV5()) {
      return 2;
    }
    int props = PropertiesWriter.length(properties.apply(packet), type, omit);
    return 2 + ReasonTail.size(reasonCode.apply(packet), props, type);
  }

  @Override
  public int flags(P packet) {
    return fixedFlags;
  }

  @Override
  public void writeBody(P packet, ProtocolVersion version, int omit, ByteBuffer out) {
    out.putShort((short) packetId.applyAsInt(packet));
    if (!version.isV5()) {
      return;
    }
    ReasonTail.write(reasonCode.apply(packet), properties.apply(packet), type, omit, out);
  }
}
