package org.ferrymq.persistence.common;

import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The bytes of one record as they are written: a growable array like {@link
 * java.io.ByteArrayOutputStream}, without its per-write lock (a record is written by one
 * thread, a byte at a time for most fields) and checksummed in place instead of copied first.
 * Records are encoded on hot paths: every durable delivery and every message that crosses to
 * another cluster member.
 */
final class RecordOutput extends OutputStream {
  private byte[] bytes;
  private int size;

  RecordOutput(int initialCapacity) {
    bytes = new byte[initialCapacity];
  }

  @Override
  public void write(int b) {
    if (size == bytes.length) {
      grow(1);
    }
    bytes[size++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    if (len > bytes.length - size) {
      grow(len);
    }
    System.arraycopy(b, off, bytes, size, len);
    size += len;
  }

  /** @return the CRC-32C of the bytes written so far */
  int crc32c() {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, size);
    return (int) crc.getValue();
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  private void grow(int needed) {
    bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + needed));
  }
}
