package org.ferrymq.codec.decoder;

import java.nio.ByteBuffer;
import java.util.Set;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.wire.Decoding;
import org.ferrymq.codec.wire.PropertiesReader;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.PubComp;
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.ReasonCode;

/**
 * PUBACK, PUBREC, PUBREL and PUBCOMP (sections 3.4 to 3.7): packet identifier, then in MQTT 5 an
 * optional reason code and optional properties. A Remaining Length of 2 means Success without
 * properties and 3 a reason code without properties (3.4.2.1). MQTT 3 has exactly the packet
 * identifier. The four share one class, configured per type, because their layouts are
 * identical and only flags, reason codes and record differ.
 */
public final class AckDecoder implements PacketDecoder {
  public static final AckDecoder PUBACK =
      new AckDecoder(PacketType.PUBACK, Flags.NONE, ReasonCodes.PUBACK, PubAck::new);
  public static final AckDecoder PUBREC =
      new AckDecoder(PacketType.PUBREC, Flags.NONE, ReasonCodes.PUBACK, PubRec::new);
  public static final AckDecoder PUBREL =
      new AckDecoder(PacketType.PUBREL, Flags.QOS_1, ReasonCodes.PUBREL, PubRel::new);
  public static final AckDecoder PUBCOMP =
      new AckDecoder(PacketType.PUBCOMP, Flags.NONE, ReasonCodes.PUBREL, PubComp::new);

  /** Creates the record from the decoded fields. */
  @FunctionalInterface
  private interface Factory {
    Packet create(int packetId, ReasonCode reasonCode, Properties properties);
  }

  private final PacketType type;
  private final int fixedFlags;
  private final Set<ReasonCode> reasonCodes;
  private final Factory factory;

  private AckDecoder(PacketType type, int fixedFlags, Set<ReasonCode> reasonCodes,
      Factory factory) {
    this.type = type;
    this.fixedFlags = fixedFlags;
    this.reasonCodes = reasonCodes;
    this.factory = factory;
  }

  @Override
  public Packet decode(int flags, ByteBuffer body, DecoderContext ctx)
      throws MalformedPacketException {
    String name = type.name();
    Flags.require(flags, fixedFlags, name, ctx.version());
    int packetId = Decoding.readPacketId(body);
    ReasonCode rc = ReasonCode.SUCCESS;
    Properties props = Properties.EMPTY;
    if (ctx.version().isV5() && body.hasRemaining()) {
      rc = ReasonCodes.read(body, reasonCodes, name);
      if (body.hasRemaining()) {
        props = PropertiesReader.read(body, type);
      }
    }
    Decoding.requireEnd(body, name);
    return factory.create(packetId, rc, props);
  }
}
