package org.ferrymq.codec.wire;

import java.nio.ByteBuffer;

/**
 * Variable Byte Integer (MQTT 5 section 1.5.5, 3.1.1 section 2.2.3): 7 bits per byte, least
 * significant group first, high bit set on all bytes but the last, at most four bytes.
 *
 * <p>{@link #decode} reports failures as negative sentinels rather than exceptions because "not
 * enough bytes yet" is the normal case for a fixed header arriving in pieces.
 */
public final class VariableByteInteger {
  /** Largest encodable value (four bytes). */
  public static final int MAX_VALUE = 268_435_455;
  /** The buffer ends before the last byte of the integer. */
  public static final int NOT_ENOUGH_BYTES = -1;
  /** The fourth byte still has the continuation bit set. */
  public static final int TOO_LARGE = -2;
  /** The value was encoded with more bytes than necessary [MQTT-1.5.5-1]. */
  public static final int NOT_MINIMUM_BYTES = -3;

  private VariableByteInteger() {
  }

  /**
   * Decodes at the buffer's position and advances past the integer only on success.
   *
   * @return the value, or {@link #NOT_ENOUGH_BYTES}, {@link #TOO_LARGE} or
   *     {@link #NOT_MINIMUM_BYTES}
   */
  public static int decode(ByteBuffer in) {
    int pos = in.position();
    int limit = in.limit();
    int value = 0;
    for (int i = 0; i < 4; i++) {
      if (pos + i >= limit) {
        return NOT_ENOUGH_BYTES;
      }
      int b = in.get(pos + i);
      value |= (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        // A trailing zero group after a continuation byte adds nothing: a shorter form exists.
        if (i > 0 && b == 0) {
          return NOT_MINIMUM_BYTES;
        }
        in.position(pos + i + 1);
        return value;
      }
    }
    return TOO_LARGE;
  }

  /** @return how many bytes {@code value} takes (1 to 4) */
  public static int encodedSize(int value) {
    if (value < 0 || value > MAX_VALUE) {
      throw new IllegalArgumentException("variable byte integer out of range: " + value);
    }
    if (value < 128) {
      return 1;
    }
    if (value < 16_384) {
      return 2;
    }
    return value < 2_097_152 ? 3 : 4;
  }

  /** Writes {@code value} in its minimal encoding. */
  public static void encode(int value, ByteBuffer out) {
    int v = value;
    do {
      int b = v & 0x7F;
      v >>>= 7;
      out.put((byte) (v > 0 ? b | 0x80 : b));
    } while (v > 0);
  }
}
