package org.ferrymq.bench;

/**
 * The benchmark payload: a send timestamp ({@link System#nanoTime()} of the generator, which
 * hosts both ends) and a sequence number, big-endian, then filler up to the payload size.
 */
final class Payload {
  /** Bytes taken by the timestamp and the sequence number. */
  static final int HEADER = 16;

  private Payload() {
  }

  /** @return a payload of {@code size} bytes (at least {@link #HEADER}) with filler */
  static byte[] create(int size) {
    if (size < HEADER) {
      throw new IllegalArgumentException("payload must hold " + HEADER + " bytes, was " + size);
    }
    byte[] p = new byte[size];
    for (int i = HEADER; i < size; i++) {
      p[i] = (byte) ('a' + i % 26);
    }
    return p;
  }

  static void stamp(byte[] buf, int off, long nanos, long sequence) {
    putLong(buf, off, nanos);
    putLong(buf, off + 8, sequence);
  }

  static long nanos(byte[] buf, int off) {
    return getLong(buf, off);
  }

  static long sequence(byte[] buf, int off) {
    return getLong(buf, off + 8);
  }

  private static void putLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  private static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = v << 8 | (b[off + i] & 0xFF);
    }
    return v;
  }
}
