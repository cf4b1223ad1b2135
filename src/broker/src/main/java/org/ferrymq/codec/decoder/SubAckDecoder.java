package org.ferrymq.codec.decoder;

import static org.ferrymq.codec.MalformedPacketException.malformed;
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
import org.ferrymq.packet.SubAck;

/**
 * SUBACK (section 3.9), received by clients. MQTT 3 return code 0x80 becomes
 * {@link ReasonCode#UNSPECIFIED_ERROR}.
 */
public final class SubAckDecoder implements PacketDecoder {
  public static final SubAckDecoder INSTANCE = new SubAckDecoder();

  private SubAckDecoder() {
  }

  @Override
  public SubAck decode(int flags, ByteBuffer body, DecoderContext ctx)
      throws MalformedPacketException {
    Flags.require(flags, Flags.NONE, "SUBACK", ctx.version());
    boolean v5 = ctx.version().isV5();
    int packetId = Decoding.readPacketId(body);
    Properties props = v5 ? PropertiesReader.read(body, PacketType.SUBACK) : Properties.EMPTY;
    if (!body.hasRemaining()) {
      throw protocolError("SUBACK must contain a reason code per topic filter (spec 3.9.3)");
    }
    List<ReasonCode> codes = new ArrayList<>(body.remaining());
    while (body.hasRemaining()) {
      codes.add(v5 ? ReasonCodes.read(body, ReasonCodes.SUBACK, "SUBACK") : v3Code(body));
    }
    return new SubAck(packetId, codes, props);
  }

  private static ReasonCode v3Code(ByteBuffer body) throws MalformedPacketException {
    int code = body.get() & 0xFF;
    if (code == 0x80) {
      return ReasonCode.UNSPECIFIED_ERROR;
    }
    if (code > 2) {
      throw malformed(String.format("[MQTT-3.9.3-2] SUBACK return code 0x%02X is reserved", code));
    }
    return ReasonCode.of(code);
  }
}
