package org.ferrymq.bench;

import java.io.Closeable;
import java.io.IOException;

/**
 * A byte stream to a broker: a plain or TLS socket, or a WebSocket carrying MQTT in binary
 * frames. Writes are buffered by the caller and handed over whole; reads block.
 */
interface Wire extends Closeable {

  /** Writes {@code len} bytes and pushes them to the network (one WebSocket frame per call). */
  void write(byte[] bytes, int off, int len) throws IOException;

  /**
   * Reads at least one byte, blocking until some arrive.
   *
   * @return the number of bytes read, or -1 when the connection has ended
   */
  int read(byte[] into, int off, int len) throws IOException;

  /** Makes {@link #read} fail with a timeout after {@code millis} without data; 0: wait forever. */
  void readTimeout(int millis) throws IOException;

  @Override
  void close();
}
