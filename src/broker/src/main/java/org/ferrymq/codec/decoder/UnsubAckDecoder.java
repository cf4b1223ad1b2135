package org.ferrymq.codec.decoder;

import static org.ferrymq.codec.MalformedPacketException.protocolError;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.wire.Decoding;
import org.ferrymq.codec.wire.PropertiesReader;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.UnsubAck;

/** UNSUBACK (section 3.11), received by clients; MQTT 3 carries only the packet identifier. */
public final class UnsubAckDecoder implements PacketDecoder {
  public static final UnsubAckDecoder INSTANCE = new UnsubAckDecoder();

  private UnsubAckDecoder() {
  }

  @Override
  public UnsubAck decode(int flags, ByteBuffer body, DecoderContext ctx)
      throws MalformedPacketException {
    Flags.require(flags, Flags.NONE, "UNSUBACK", ctx.version());
    int packetId = Decoding.readPacketId(body);
    if (!ctx.version().isV5()) {
      Decoding.requireEnd(body, "UNSUBACK");
      return new UnsubAck(packetId, List.of(), Properties.EMPTY);
    }
    Properties props = PropertiesReader.read(body, PacketType.UNSUBACK);
    if (!body.hasRemaining()) {
      throw protocolError("UNSUBACK must contain a reason code per topic filter (spec 3.11.3)");
    }
    List<ReasonCode> codes = new ArrayList<>(body.remaining());
    while (body.hasRemaining()) {
      codes.add(ReasonCodes.read(body, ReasonCodes.UNSUBACK, "UNSUBACK"));
    }
    return new UnsubAck(packetId, codes, props);
  }
}
