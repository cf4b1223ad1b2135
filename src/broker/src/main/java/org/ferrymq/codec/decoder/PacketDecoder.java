package org.ferrymq.codec.decoder;

import java.nio.ByteBuffer;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.packet.Packet;

/** Decodes the body of one packet type; implementations are stateless singletons. */
@FunctionalInterface
public interface PacketDecoder {

  /**
   * @param flags the low four bits of the fixed header
   * @param body exactly the packet's variable header and payload (position 0, limit = remaining
   *     length); the decoder may consume it
   * @param ctx the connection's version and limits; {@code ctx.version()} is non-null except for
   *     CONNECT
   * @return the packet
   * @throws MalformedPacketException when the body breaks the format or a protocol rule
   */
  Packet decode(int flags, ByteBuffer body, DecoderContext ctx) throws MalformedPacketException;
}
