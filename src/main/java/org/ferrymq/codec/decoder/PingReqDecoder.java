package org.ferrymq.codec.decoder;

import java.nio.ByteBuffer;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.wire.Decoding;
import org.ferrymq.packet.PingReq;

/** PINGREQ (section 3.12): fixed header only. */
public final class PingReqDecoder implements PacketDecoder {
  public static final PingReqDecoder INSTANCE = new PingReqDecoder();

  private PingReqDecoder() {
  }

  @Override
  public PingReq decode(int flags, ByteBuffer body, DecoderContext ctx)
      throws MalformedPacketException {
    Flags.require(flags, Flags.NONE, "PINGREQ", ctx.version());
    Decoding.requireEnd(body, "PINGREQ");
    return PingReq.INSTANCE;
  }
}
