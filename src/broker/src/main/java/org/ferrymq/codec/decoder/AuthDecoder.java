package org.ferrymq.codec.decoder;

import static org.ferrymq.codec.MalformedPacketException.malformed;

import java.nio.ByteBuffer;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.wire.Decoding;
import org.ferrymq.codec.wire.PropertiesReader;
import org.ferrymq.packet.Auth;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ReasonCode;

/**
 * AUTH (section 3.15, MQTT 5 only; type 15 is reserved in MQTT 3). Remaining Length 0 means
 * Success without properties (3.15.2.1).
 */
public final class AuthDecoder implements PacketDecoder {
  public static final AuthDecoder INSTANCE = new AuthDecoder();

  private AuthDecoder() {
  }

  @Override
  public Auth decode(int flags, ByteBuffer body, DecoderContext ctx)
      throws MalformedPacketException {
    if (!ctx.version().isV5()) {
      throw malformed("packet type 15 is reserved in MQTT " + ctx.version().protocolName()
          + " level " + ctx.version().level() + " (3.1.1 section 2.2.1)");
    }
    Flags.require(flags, Flags.NONE, "AUTH", ctx.version());
    if (!body.hasRemaining()) {
      return new Auth(ReasonCode.SUCCESS, Properties.EMPTY);
    }
    ReasonCode rc = ReasonCodes.read(body, ReasonCodes.AUTH, "AUTH");
    Properties props = PropertiesReader.read(body, PacketType.AUTH);
    Decoding.requireEnd(body, "AUTH");
    return new Auth(rc, props);
  }
}
