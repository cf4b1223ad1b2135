package org.ferrymq.codec.wire;

import java.nio.ByteBuffer;

/**
 * Writes and sizes of the MQTT data types (MQTT 5 section 1.5) into exactly-sized heap buffers.
 * Sizes are computed first so that every packet is written into one buffer of its final size.
 */
public final class Encoding {
  private Encoding() {
  }

  /** @return the size of a UTF-8 Encoded String field including its two-byte length */
  public static int stringSize(String s) {
    return 2 + Utf8.encodedLength(s);
  }

  /** @return the size of a Binary Data field including its two-byte length */
  public static int binarySize(byte[] b) {
    if (b.length > Utf8.MAX_LENGTH) {
      throw new IllegalArgumentException("binary data longer than 65535 bytes: " + b.length);
    }
    return 2 + b.length;
  }

  /** Writes a length-prefixed UTF-8 string, patching the length after the bytes are written. */
  public static void writeString(String s, ByteBuffer out) {
    int lengthAt = out.position();
    out.position(lengthAt + 2);
    Utf8.write(s, out);
    out.putShort(lengthAt, (short) (out.position() - lengthAt - 2));
  }

  public static void writeBinary(byte[] b, ByteBuffer out) {
    out.putShort((short) b.length);
    out.put(b);
  }

  /** @return the full packet size for a remaining length: type byte, length bytes, body */
  public static int packetSize(int remainingLength) {
    return 1 + VariableByteInteger.encodedSize(remainingLength) + remainingLength;
  }
}
