package org.ferrymq.engine;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The connection fuzz target's input: the bytes a client sends, cut where the network cut them.
 * Each chunk is one length byte {@code n} followed by {@code n} bytes (fewer if the input ends),
 * so mutating a length byte moves a read boundary and mutating the rest changes the packets.
 */
final class Chunks {
  private static final int MAX_CHUNK = 255;

  private Chunks() {
  }

  /** @return the reads an input stands for, in order; a zero length stands for an empty read */
  static List<byte[]> parse(byte[] input) {
    List<byte[]> chunks = new ArrayList<>();
    int i = 0;
    while (i < input.length) {
      int n = Math.min(input[i] & 0xFF, input.length - i - 1);
      byte[] chunk = new byte[n];
      System.arraycopy(input, i + 1, chunk, 0, n);
      chunks.add(chunk);
      i += 1 + n;
    }
    return chunks;
  }

  /** @return the bytes of all reads joined, as the broker's decoder sees them */
  static byte[] join(List<byte[]> chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    chunks.forEach(c -> out.write(c, 0, c.length));
    return out.toByteArray();
  }

  /** @return an input that delivers {@code stream} in reads of {@code readSize} bytes */
  static byte[] of(byte[] stream, int readSize) {
    int size = Math.min(Math.max(readSize, 1), MAX_CHUNK);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < stream.length; i += size) {
      int n = Math.min(size, stream.length - i);
      out.write(n);
      out.write(stream, i, n);
    }
    return out.toByteArray();
  }
}
