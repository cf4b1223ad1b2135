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

  /**
   * Stops or resumes reading from the network: the engine's backpressure on a client whose
   * packets it cannot take now (its outbound buffer is full, its earlier packets are still being
   * processed, or its acknowledgements are held back). Bytes already read may still arrive after
   * a pause; the last call wins. Safe from any thread, never blocks the caller.
   *
   * @param paused true to stop reading, false to resume
   */
  void setReadingPaused(boolean paused);

  /**
   * Closes the connection gracefully: queued bytes are flushed, then the sending side is shut
   * down while input is read and discarded for a short, bounded time, so that the peer reads what
   * was sent last (a DISCONNECT with its reason code, a refusing CONNACK) instead of a reset.
   * Later sends are ignored, and no further bytes reach the engine.
   */
  void close();

  /**
   * Closes at once and drops whatever is still queued: for a client that has stopped reading,
   * which a graceful {@link #close()} would only wait for. The peer may see a reset.
   */
  void abort();

  /** @return what the engine may know about the connection (kind, peer, certificates) */
  TransportInfo info();
}
