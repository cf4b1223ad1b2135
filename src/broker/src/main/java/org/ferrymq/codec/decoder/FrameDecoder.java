package org.ferrymq.codec.decoder;

import static org.ferrymq.codec.MalformedPacketException.malformed;

import java.nio.ByteBuffer;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.wire.VariableByteInteger;
import org.ferrymq.packet.ReasonCode;

/**
 * Reads the fixed header (section 2.1): packet type, flags and Remaining Length. It rejects a bad
 * length and a packet larger than the limit as soon as the header is readable, before the body
 * arrives, so a caller never buffers more than the limit.
 */
public final class FrameDecoder {
  private FrameDecoder() {
  }

  /**
   * One fixed header.
   *
   * @param type the packet type value 1..15
   * @param flags the low four bits of the first byte
   * @param headerLength bytes taken by the fixed header (2 to 5)
   * @param remainingLength bytes of variable header and payload
   */
  public record Frame(int type, int flags, int headerLength, int remainingLength) {
    /** @return the total packet size */
    public int size() {
      return headerLength + remainingLength;
    }
  }

  /**
   * Inspects the buffer from its position without moving it.
   *
   * @return the header when the whole packet is in the buffer, or {@code null} when more bytes
   *     are needed
   * @throws MalformedPacketException for type 0, a Remaining Length over four bytes or not
   *     minimally encoded (MALFORMED_PACKET), or a packet over {@code maxPacketSize}
   *     (PACKET_TOO_LARGE)
   */
  public static Frame decode(ByteBuffer in, int maxPacketSize) throws MalformedPacketException {
    int start = in.position();
    if (!in.hasRemaining()) {
      return null;
    }
    int first = in.get(start) & 0xFF;
    int type = first >>> 4;
    if (type == 0) {
      throw malformed("packet type 0 is reserved (spec 2.1.2)");
    }
    in.position(start + 1);
    int remaining = VariableByteInteger.decode(in);
    int headerLength = in.position() - start;
    in.position(start);
    switch (remaining) {
      case VariableByteInteger.NOT_ENOUGH_BYTES:
        return null;
      case VariableByteInteger.TOO_LARGE:
        throw malformed("Remaining Length is longer than four bytes (spec 2.1.4)");
      case VariableByteInteger.NOT_MINIMUM_BYTES:
        throw malformed("[MQTT-1.5.5-1] Remaining Length is not minimally encoded");
      default:
        break;
    }
    long size = (long) headerLength + remaining;
    if (size > maxPacketSize) {
      throw new MalformedPacketException(ReasonCode.PACKET_TOO_LARGE,
          "packet of " + size + " bytes exceeds the Maximum Packet Size " + maxPacketSize
              + " [MQTT-3.2.2-15]");
    }
    if (in.remaining() < size) {
      return null;
    }
    return new Frame(type, first & 0x0F, headerLength, remaining);
  }
}
