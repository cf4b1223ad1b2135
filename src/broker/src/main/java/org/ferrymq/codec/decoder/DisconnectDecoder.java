package org.ferrymq.codec.decoder;

import java.nio.ByteBuffer;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.wire.Decoding;
import org.ferrymq.codec.wire.PropertiesReader;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ReasonCode;

/**
 * DISCONNECT (section 3.14). MQTT 5: Remaining Length 0 means Normal disconnection, 1 a reason
 * code without properties (3.14.2.1). MQTT 3: fixed header only. Whether a Session Expiry
 * Interval may be set here depends on CONNECT and is checked by the engine.
 */
public final class DisconnectDecoder implements PacketDecoder {
  public static final DisconnectDecoder INSTANCE = new DisconnectDecoder();

  private DisconnectDecoder() {
  }

  @Override
  public Disconnect decode(int flags, ByteBuffer body, DecoderContext ctx)
      throws MalformedPacketException {
    Flags.require(flags, Flags.NONE, "DISCONNECT", ctx.version());
    if (!ctx.version().isV5() || !body.hasRemaining()) {
      Decoding.requireEnd(body, "DISCONNECT");
      return Disconnect.NORMAL;
    }
    ReasonCode rc = ReasonCodes.read(body, ReasonCodes.DISCONNECT, "DISCONNECT");
    Properties props = body.hasRemaining()
        ? PropertiesReader.read(body, PacketType.DISCONNECT) : Properties.EMPTY;
    Decoding.requireEnd(body, "DISCONNECT");
    return new Disconnect(rc, props);
  }
}
