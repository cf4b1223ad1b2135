package org.ferrymq.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads server frames (RFC 6455 section 5) through its own receive buffer and hands out the
 * payload of binary messages as one byte stream, as a TCP socket hands out MQTT: frame and
 * message boundaries carry no meaning for MQTT. Pings are answered with pongs, pongs ignored, a
 * Close frame is answered and then reads as the end of the stream. Masked frames, text frames
 * and reserved bits or opcodes fail the read.
 *
 * <p>One reading thread at a time.
 */
final class WebSocketFrameReader {
  private static final int CONTINUATION = 0x0;
  private static final int TEXT = 0x1;
  private static final int MAX_HEAD = 8192;
  private static final String MID_FRAME = "connection closed in the middle of a WebSocket frame";

  private final InputStream in;
  private final WebSocketFrameWriter replies;
  private final byte[] buf = new byte[64 * 1024];
  private int pos;
  private int lim;
  /** Payload bytes of the current data frame not yet handed out. */
  private long remaining;
  /** Whether a fragmented message has begun and its final frame not yet come. */
  private boolean inMessage;
  private boolean ended;

  /** @param replies where pongs and the answer to a Close go */
  WebSocketFrameReader(InputStream in, WebSocketFrameWriter replies) {
    this.in = in;
    this.replies = replies;
  }

  /**
   * Reads an HTTP response head; the bytes after its blank line stay buffered for the frames.
   *
   * @return the head without the terminating blank line (ISO-8859-1)
   */
  String readHead() throws IOException {
    int from = 0;
    while (true) {
      for (int i = pos + from; i + 3 < lim; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
          String head = new String(buf, pos, i - pos, StandardCharsets.ISO_8859_1);
          pos = i + 4;
          return head;
        }
      }
      if (lim - pos > MAX_HEAD) {
        throw new IOException("response head longer than " + MAX_HEAD + " bytes");
      }
      from = Math.max(0, lim - pos - 3);
      if (!fill()) {
        throw new EOFException("connection closed before the end of the response head");
      }
    }
  }

  /**
   * Reads at least one payload byte, blocking until some arrive, and then whatever more the
   * buffer holds, across frames, without blocking again.
   *
   * @return the number of bytes read, or -1 after a Close frame or at the end of the stream
   */
  int read(byte[] into, int off, int len) throws IOException {
    int n = 0;
    while (n < len && !ended) {
      if (remaining == 0) {
        if (!nextFrame(n == 0)) {
          break;
        }
      } else if (pos < lim) {
        int k = (int) Math.min(Math.min(len - n, remaining), lim - pos);
        System.arraycopy(buf, pos, into, off + n, k);
        pos += k;
        n += k;
        remaining -= k;
      } else if (n > 0) {
        break;
      } else if (!fill()) {
        throw new EOFException(MID_FRAME);
      }
    }
    return n == 0 && ended ? -1 : n;
  }

  /**
   * Consumes one frame header, and a control frame whole.
   *
   * @param block whether to wait for the frame's bytes
   * @return false when the header is not buffered and {@code block} is false, or when the
   *     stream ended at a frame boundary
   */
  private boolean nextFrame(boolean block) throws IOException {
    int header;
    while ((header = bufferedHeader()) < 0) {
      if (!block) {
        return false;
      }
      if (!fill()) {
        if (pos < lim) {
          throw new EOFException(MID_FRAME);
        }
        ended = true;
        return false;
      }
    }
    int b0 = buf[pos] & 0xFF;
    int b1 = buf[pos + 1] & 0xFF;
    if ((b1 & 0x80) != 0) {
      throw new IOException("the server sent a masked frame (RFC 6455 5.1: only clients mask)");
    }
    if ((b0 & 0x70) != 0) {
      throw new IOException("the server set reserved bits 0x" + Integer.toHexString(b0 & 0x70)
          + " though no extension was negotiated");
    }
    long length = payloadLength(b1 & 0x7F);
    pos += header;
    boolean fin = (b0 & 0x80) != 0;
    int opcode = b0 & 0x0F;
    switch (opcode) {
      case WebSocketFrameWriter.BINARY -> {
        if (inMessage) {
          throw new IOException("binary frame inside a fragmented message");
        }
      }
      case CONTINUATION -> {
        if (!inMessage) {
          throw new IOException("continuation frame with no fragmented message to continue");
        }
      }
      case TEXT -> throw new IOException("the server sent a text frame; MQTT needs binary frames");
      case WebSocketFrameWriter.CLOSE, WebSocketFrameWriter.PING, WebSocketFrameWriter.PONG -> {
        control(opcode, fin, length);
        return true;
      }
      default -> throw new IOException(
          "frame with reserved opcode 0x" + Integer.toHexString(opcode));
    }
    inMessage = !fin;
    remaining = length;
    return true;
  }

  /**
   * @return the header length if the header, and for a control frame its payload, is in the
   *     buffer; else -1
   */
  private int bufferedHeader() {
    int available = lim - pos;
    if (available < 2) {
      return -1;
    }
    int b1 = buf[pos + 1] & 0xFF;
    int length7 = b1 & 0x7F;
    int header = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((b1 & 0x80) != 0 ? 4 : 0);
    boolean control = (buf[pos] & 0x08) != 0;
    return available >= header + (control && length7 < 126 ? length7 : 0) ? header : -1;
  }

  private long payloadLength(int length7) throws IOException {
    if (length7 < 126) {
      return length7;
    }
    int bytes = length7 == 126 ? 2 : 8;
    long length = 0;
    for (int i = 0; i < bytes; i++) {
      length = (length << 8) | (buf[pos + 2 + i] & 0xFF);
    }
    if (length < 0) {
      throw new IOException("frame length out of range (most significant bit set)");
    }
    return length;
  }

  private void control(int opcode, boolean fin, long length) throws IOException {
    if (!fin || length > 125) {
      throw new IOException("control frame 0x" + Integer.toHexString(opcode)
          + (fin ? " longer than 125 bytes" : " fragmented") + " (RFC 6455 5.5)");
    }
    int at = pos;
    pos += (int) length;
    if (opcode == WebSocketFrameWriter.PING) {
      replies.send(WebSocketFrameWriter.PONG, buf, at, (int) length);
    } else if (opcode == WebSocketFrameWriter.CLOSE) {
      // echo the status code, as RFC 6455 5.5.1 suggests, without the reason
      replies.send(WebSocketFrameWriter.CLOSE, buf, at, length >= 2 ? 2 : 0);
      ended = true;
    }
  }

  /** @return false at the end of the stream */
  private boolean fill() throws IOException {
    if (pos == lim) {
      pos = 0;
      lim = 0;
    } else if (lim == buf.length) {
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      lim -= pos;
      pos = 0;
    }
    int n = in.read(buf, lim, buf.length - lim);
    if (n < 0) {
      return false;
    }
    lim += n;
    return true;
  }
}
