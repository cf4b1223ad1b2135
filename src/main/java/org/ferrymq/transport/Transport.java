package org.ferrymq.transport;

import java.nio.ByteBuffer;

/**
 * The engine's view of one network connection. TCP, TLS and WebSocket adapters implement it;
 * none of their types reach the engine.
 *
 * <p>Calls come from the session's lane, one at a time, but the lane may run on different
 * threads one after another; implementations must be safe to call from any thread, must keep
 * the order of the calls across threads, and must never block the caller.
 */
public interface Transport {

  /**
   * Queues bytes for writing, without flushing. The transport owns the buffer afterwards and
   * writes it from its position to its limit.
   *
   * @param bytes one or more encoded packets
   */
  void send(ByteBuffer bytes);

  /** Writes everything queued so far; the engine calls this once per batch of sends. */
  void flush();

  /**
   * @return whether the outbound buffer is below its high-water mark; when {@code false} the
   *     engine holds messages in the session's bounded queue until {@link
   *     InboundHandler#onWritable()}
   */
  boolean isWritable();

  /** Closes the connection after queued bytes are flushed; later sends are ignored. */
  void close();

  /** @return what the engine may know about the connection (kind, peer, certificates) */
  TransportInfo info();
}
