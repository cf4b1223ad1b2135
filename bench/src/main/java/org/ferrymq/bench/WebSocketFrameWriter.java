package org.ferrymq.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes client frames (RFC 6455 section 5): each one final, masked with a fresh key, its header
 * and masked payload assembled in one reusable buffer and handed to the socket in one write.
 *
 * <p>Thread-safe: the client's writer and its reader (answering ping and close) may both send.
 */
final class WebSocketFrameWriter {
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  /** Two bytes, seven-bit length, four-byte mask; plus 8 for a 64-bit length. */
  static final int MAX_HEADER = 14;
  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private final OutputStream out;
  private final ReentrantLock lock = new ReentrantLock();
  private byte[] frame = new byte[512];
  private boolean closeSent;

  WebSocketFrameWriter(OutputStream out) {
    this.out = out;
  }

  /**
   * Sends one final frame.
   *
   * @throws IOException when the socket fails, or when a Close frame has already been sent
   *     (RFC 6455 5.5.1: nothing may follow it; a second Close is skipped)
   */
  void send(int opcode, byte[] payload, int off, int len) throws IOException {
    lock.lock();
    try {
      if (closeSent) {
        if (opcode == CLOSE) {
          return;
        }
        throw new IOException("WebSocket closed: a Close frame was sent, nothing may follow");
      }
      if (opcode == CLOSE) {
        closeSent = true;
      }
      write(opcode, payload, off, len);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sends a Close frame with status 1000 (normal closure) unless one was sent already or
   * another thread is in the middle of a write (which may be blocked on a broker that stopped
   * reading: closing must not wait behind it).
   */
  void tryClose() {
    if (!lock.tryLock()) {
      return;
    }
    try {
      if (!closeSent) {
        closeSent = true;
        write(CLOSE, new byte[] {0x03, (byte) 0xE8}, 0, 2);
      }
    } catch (IOException ignored) {
      // the connection is going away anyway
    } finally {
      lock.unlock();
    }
  }

  private void write(int opcode, byte[] payload, int off, int len) throws IOException {
    if (frame.length < MAX_HEADER + len) {
      frame = new byte[Math.max(MAX_HEADER + len, frame.length * 2)];
    }
    byte[] f = frame;
    f[0] = (byte) (0x80 | opcode);
    int p;
    if (len < 126) {
      f[1] = (byte) (0x80 | len);
      p = 2;
    } else if (len <= 0xFFFF) {
      f[1] = (byte) (0x80 | 126);
      f[2] = (byte) (len >>> 8);
      f[3] = (byte) len;
      p = 4;
    } else {
      f[1] = (byte) (0x80 | 127);
      LONG_BE.set(f, 2, (long) len);
      p = 10;
    }
    // RFC 6455 10.3 asks for unpredictable masks so that hostile script in a browser cannot
    // choose the bytes an intermediary sees (cache poisoning). A load generator sends bytes it
    // made itself to a broker it was pointed at, so a fast non-cryptographic random suffices
    // (ThreadLocalRandom: no lock, no allocation; SecureRandom would cost more than the frame).
    int mask = ThreadLocalRandom.current().nextInt();
    f[p] = (byte) (mask >>> 24);
    f[p + 1] = (byte) (mask >>> 16);
    f[p + 2] = (byte) (mask >>> 8);
    f[p + 3] = (byte) mask;
    p += 4;
    mask(payload, off, len, mask, f, p);
    out.write(f, 0, p + len);
    out.flush();
  }

  /** XORs {@code len} bytes with the repeating 4-byte key into {@code to}, eight at a time. */
  static void mask(byte[] from, int off, int len, int key, byte[] to, int at) {
    long key8 = ((long) key << 32) | (key & 0xFFFF_FFFFL);
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      LONG_BE.set(to, at + i, (long) LONG_BE.get(from, off + i) ^ key8);
    }
    for (; i < len; i++) {
      to[at + i] = (byte) (from[off + i] ^ (key >>> (24 - 8 * (i & 3))));
    }
  }
}
