package org.ferrymq.transport;

import java.nio.ByteBuffer;

/**
 * What a transport calls on the engine for one connection, in order, from one thread at a time
 * (except {@link #onUnwritable()}, which is safe from any thread).
 * Obtained from {@code Broker.accept(Transport)}.
 */
public interface InboundHandler {

  /**
   * Hands over bytes read from the network. The engine consumes what it needs before returning
   * and keeps no reference to {@code data}; packets may be split or packed in any way.
   */
  void onBytes(ByteBuffer data);

  /** The transport's outbound buffer drained below its low-water mark. */
  void onWritable();

  /**
   * The transport's outbound buffer rose above its high-water mark: the peer is not reading. May
   * be called from any thread, also while another thread is in {@link #onBytes}.
   */
  void onUnwritable();

  /** The connection is gone (peer closed, network error or {@link Transport#close()}). */
  void onClosed();
}
