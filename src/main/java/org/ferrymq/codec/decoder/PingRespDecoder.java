package org.ferrymq.codec.decoder;

import java.nio.ByteBuffer;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.wire.Decoding;
import org.ferrymq.packet.PingResp;

/** PINGRESP (section 3.13), received by clients: fixed header only. */
public final class PingRespDecoder implements PacketDecoder {
  public static final PingRespDecoder INSTANCE = new PingRespDecoder();

  private PingRespDecoder() {
  }

  @Override
  public PingResp decode(int flags, ByteBuffer body, DecoderContext ctx)
      throws MalformedPacketException {
    Flags.require(flags, Flags.NONE, "PINGRESP", ctx.version());
    Decoding.requireEnd(body, "PINGRESP");
    return PingResp.INSTANCE;
  }
}
