package org.ferrymq.web;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ferrymq.transport.InboundHandler;

/**
 * Keeps the engine's promise that one connection's {@link InboundHandler} is called by one thread
 * at a time: the container reads on one thread and completes sends on another. Also makes
 * {@link #onClosed()} happen once, whether the close or the error callback comes first.
 */
final class SerialInbound implements InboundHandler {

  private final InboundHandler delegate;
  private final AtomicBoolean closed = new AtomicBoolean();

  SerialInbound(InboundHandler delegate) {
    this.delegate = delegate;
  }

  @Override
  public synchronized void onBytes(ByteBuffer data) {
    if (!closed.get()) {
      delegate.onBytes(data);
    }
  }

  @Override
  public synchronized void onWritable() {
    if (!closed.get()) {
      delegate.onWritable();
    }
  }

  /** Not serialised: the engine takes it from any thread, and a lane may call it mid-send. */
  @Override
  public void onUnwritable() {
    if (!closed.get()) {
      delegate.onUnwritable();
    }
  }

  @Override
  public synchronized void onClosed() {
    if (closed.compareAndSet(false, true)) {
      delegate.onClosed();
    }
  }
}
