package org.ferrymq.codec.decoder;

import java.nio.ByteBuffer;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.wire.Decoding;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.PingReq;
import org.ferrymq.packet.PingResp;

/** PINGREQ and PINGRESP (sections 3.12, 3.13): fixed header with flags 0 and no body. */
public final class EmptyDecoder implements PacketDecoder {
  public static final EmptyDecoder PINGREQ = new EmptyDecoder("PINGREQ", PingReq.INSTANCE);
  public static final EmptyDecoder PINGRESP = new EmptyDecoder("PINGRESP", PingResp.INSTANCE);

  private final String name;
  private final Packet instance;

  private EmptyDecoder(String name, Packet instance) {
    this.name = name;
    this.instance = instance;
  }

  @Override
  public Packet decode(int flags, ByteBuffer body, DecoderContext ctx)
      throws MalformedPacketException {
    Flags.require(flags, Flags.NONE, name, ctx.version());
    Decoding.requireEnd(body, name);
    return instance;
  }
}
