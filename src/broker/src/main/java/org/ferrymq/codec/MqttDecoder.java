package org.ferrymq.codec;

import static org.ferrymq.codec.MalformedPacketException.malformed;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import org.ferrymq.codec.decoder.FrameDecoder;
import org.ferrymq.codec.decoder.PacketDecoders;
import org.ferrymq.codec.wire.VariableByteInteger;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.PacketType;

/**
 * Decodes MQTT 3.1, 3.1.1 and 5.0 packets from bytes. Stateless and thread-safe; what it needs to
 * know about the connection comes in the {@link DecoderContext}. It decodes both directions (the
 * broker's inbound packets, and CONNACK, SUBACK and the like for test clients).
 */
public final class MqttDecoder {
  private MqttDecoder() {
  }

  /**
   * Decodes one whole packet from {@code in}'s position if it is all there and advances the
   * position past it. Returns {@code null} and leaves the position unchanged if more bytes are
   * needed. A Remaining Length that is over-long or not minimally encoded (MALFORMED_PACKET) and a
   * declared size over {@code ctx.maxPacketSize()} (PACKET_TOO_LARGE) are rejected as soon as the
   * fixed header is readable, before the body arrives, as is any packet but CONNECT while
   * {@code ctx.version()} is {@code null} (PROTOCOL_ERROR).
   *
   * @param in bytes received so far, in read mode
   * @param ctx version and size limit of the connection
   * @return the packet, or {@code null} when it is not complete yet
   * @throws MalformedPacketException when the packet breaks the format or a protocol rule; the
   *     position is then unspecified and the connection must be closed
   */
  public static Packet decode(ByteBuffer in, DecoderContext ctx) throws MalformedPacketException {
    if (ctx.version() == null && in.hasRemaining()) {
      // Checked on the first byte so that nothing else is ever buffered before CONNECT.
      PacketType type = PacketType.of((in.get(in.position()) & 0xFF) >>> 4);
      if (type != null && type != PacketType.CONNECT) {
        throw MalformedPacketException.protocolError("[MQTT-3.1.0-1] the first packet must be"
            + " CONNECT, was " + type);
      }
    }
    FrameDecoder.Frame frame = FrameDecoder.decode(in, ctx.maxPacketSize());
    if (frame == null) {
      return null;
    }
    int bodyStart = in.position() + frame.headerLength();
    ByteBuffer body = in.slice(bodyStart, frame.remainingLength());
    Packet packet;
    try {
      packet = PacketDecoders.get(frame.type()).decode(frame.flags(), body, ctx);
    } catch (BufferUnderflowException e) {
      throw malformed(PacketType.of(frame.type()) + " ends before its last field");
    } catch (IllegalArgumentException e) {
      // A record constructor refused a value that passed the wire checks.
      throw malformed(e.getMessage());
    }
    in.position(bodyStart + frame.remainingLength());
    return packet;
  }

  /**
   * Reads the fixed header at {@code in}'s position without moving it, so a connection can size
   * the buffer of a packet that is still arriving.
   *
   * @return the packet's whole length (fixed header included), or -1 while the fixed header is
   *     incomplete or not valid (decoding reports the error)
   */
  public static int packetLength(ByteBuffer in) {
    if (in.remaining() < 2) {
      return -1;
    }
    ByteBuffer header = in.duplicate();
    header.position(in.position() + 1);
    int remaining = VariableByteInteger.decode(header);
    return remaining < 0 ? -1 : header.position() - in.position() + remaining;
  }
}
