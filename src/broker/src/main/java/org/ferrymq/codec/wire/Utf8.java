package org.ferrymq.codec.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 validation, decoding and encoding for MQTT strings (MQTT 5 section 1.5.4, 3.1.1 section
 * 1.5.3). Hand-written rather than a {@code CharsetDecoder} because the common case, pure ASCII,
 * then costs one pass and no allocation beyond the String itself.
 *
 * <p>Well-formed means RFC 3629: shortest form only, no surrogate code points U+D800..U+DFFF
 * [MQTT-1.5.4-1], nothing above U+10FFFF. MQTT strings additionally exclude U+0000
 * [MQTT-1.5.4-2]. A leading U+FEFF is kept as a character, never stripped [MQTT-1.5.4-3].
 */
public final class Utf8 {
  /** Largest byte length of an MQTT UTF-8 string or binary field (two-byte length prefix). */
  public static final int MAX_LENGTH = 0xFFFF;

  private Utf8() {
  }

  /**
   * @param allowNul whether U+0000 is accepted (payloads yes, MQTT strings no)
   * @return the offset of the first ill-formed sequence, or -1 when all {@code len} bytes are
   *     well-formed
   */
  public static int firstInvalid(byte[] a, int off, int len, boolean allowNul) {
    int end = off + len;
    int i = off;
    while (i < end) {
      int b = a[i];
      if (b > 0) {
        i++;
        continue;
      }
      if (b == 0) {
        if (!allowNul) {
          return i;
        }
        i++;
        continue;
      }
      int n = sequenceLength(a, i, end);
      if (n < 0) {
        return i;
      }
      i += n;
    }
    return -1;
  }

  /** @return the length of the multi-byte sequence at {@code i}, or -1 when ill-formed */
  private static int sequenceLength(byte[] a, int i, int end) {
    int b0 = a[i] & 0xFF;
    int lo = 0x80;
    int hi = 0xBF;
    int n;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      n = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      n = 3;
      if (b0 == 0xE0) {
        lo = 0xA0; // overlong below U+0800
      } else if (b0 == 0xED) {
        hi = 0x9F; // U+D800..U+DFFF surrogates [MQTT-1.5.4-1]
      }
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      n = 4;
      if (b0 == 0xF0) {
        lo = 0x90; // overlong below U+10000
      } else if (b0 == 0xF4) {
        hi = 0x8F; // above U+10FFFF
      }
    } else {
      return -1;
    }
    if (i + n > end) {
      return -1;
    }
    int b1 = a[i + 1] & 0xFF;
    if (b1 < lo || b1 > hi) {
      return -1;
    }
    for (int k = 2; k < n; k++) {
      if ((a[i + k] & 0xC0) != 0x80) {
        return -1;
      }
    }
    return n;
  }

  /** @return whether the bytes are well-formed UTF-8 (U+0000 allowed), for payload checks */
  public static boolean isWellFormed(byte[] a) {
    return firstInvalid(a, 0, a.length, true) < 0;
  }

  /**
   * Decodes {@code len} bytes of an MQTT string, which the caller has validated with
   * {@link #firstInvalid}.
   */
  public static String decodeValidated(byte[] a, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (a[i] < 0) {
        return new String(a, off, len, StandardCharsets.UTF_8);
      }
    }
    // Pure ASCII: the Latin-1 constructor copies straight into a compact string.
    return new String(a, off, len, StandardCharsets.ISO_8859_1);
  }

  /**
   * @return the UTF-8 length of an MQTT string
   * @throws IllegalArgumentException for U+0000 [MQTT-1.5.4-2], an unpaired surrogate
   *     [MQTT-1.5.4-1], or more than 65,535 bytes
   */
  public static int encodedLength(String s) {
    int n = s.length();
    int len = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80 || c == 0) {
        len += extraBytes(s, i, c);
        if (Character.isHighSurrogate(c)) {
          i++;
          len--;
        }
      }
    }
    if (len > MAX_LENGTH) {
      throw new IllegalArgumentException("UTF-8 string longer than 65535 bytes: " + len);
    }
    return len;
  }

  private static int extraBytes(String s, int i, char c) {
    if (c == 0) {
      throw new IllegalArgumentException("[MQTT-1.5.4-2] string must not contain U+0000");
    }
    if (c < 0x800) {
      return 1;
    }
    if (Character.isSurrogate(c)) {
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        return 3; // four bytes for two chars; the caller discounts the second char
      }
      throw new IllegalArgumentException("[MQTT-1.5.4-1] unpaired surrogate at index " + i);
    }
    return 2;
  }

  /**
   * Writes the UTF-8 bytes of {@code s} (already checked by {@link #encodedLength}) into the
   * heap buffer {@code out} without an intermediate array.
   */
  public static void write(String s, ByteBuffer out) {
    byte[] a = out.array();
    int p = out.arrayOffset() + out.position();
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        a[p++] = (byte) c;
      } else if (c < 0x800) {
        a[p++] = (byte) (0xC0 | (c >> 6));
        a[p++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c)) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        a[p++] = (byte) (0xF0 | (cp >> 18));
        a[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        a[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        a[p++] = (byte) (0x80 | (cp & 0x3F));
      } else {
        a[p++] = (byte) (0xE0 | (c >> 12));
        a[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        a[p++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    out.position(p - out.arrayOffset());
  }
}
