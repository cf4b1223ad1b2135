package org.ferrymq.transport.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.ferrymq.transport.Transport;
import org.ferrymq.transport.TransportInfo;

/**
 * Adapts one Netty channel to the engine's {@link Transport}.
 *
 * <p>Thread-safe: every method may be called from any thread. Writes and flushes reach the socket
 * in the order they were called, also when successive calls come from different threads (the
 * engine runs a lane on whichever thread finds it idle): a call on the event loop writes at once
 * only when no call from another thread is still waiting in the loop's task queue. {@link
 * #close()} lingers ({@link LingeringClose}): from the call on, no byte reaches the engine, and
 * reading stays on whatever {@link #setReadingPaused} asks.
 */
final class NettyTransport implements Transport {

  private final Channel channel;
  private final TransportInfo info;
  private final long lingerMillis;
  private final Runnable flushedOnClose;
  private final AtomicBoolean closing = new AtomicBoolean();
  /** Packets sent from other threads, waiting for the task that writes them on the loop. */
  private final PendingWrites pending = new PendingWrites();
  private final Runnable writePendingTask = this::writePending;
  private final Runnable schedulePendingTask = this::scheduleWritePending;
  /** Writes and flushes handed to the event loop's task queue and not yet run there. */
  private final AtomicInteger queued = new AtomicInteger();
  /** The engine's last word on reading; the event loop applies it. */
  private volatile boolean readingPaused;

  /**
   * @param lingerMillis how long a close waits for the peer to close its side
   * @param flushedOnClose runs on the event loop once a close has flushed what was queued
   */
  NettyTransport(Channel channel, TransportInfo info, long lingerMillis,
      Runnable flushedOnClose) {
    this.channel = channel;
    this.info = info;
    this.lingerMillis = lingerMillis;
    this.flushedOnClose = flushedOnClose;
  }

  @Override
  public void send(ByteBuffer bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (closing.get() || !bytes.hasRemaining()) {
      return;
    }
    if (channel.eventLoop().inEventLoop() && queued.get() == 0) {
      // Wrapping shares the engine's buffer without copying; the transport owns it from here on.
      channel.write(Unpooled.wrappedBuffer(bytes), channel.voidPromise());
      return;
    }
    pending.add(bytes, schedulePendingTask);
  }

  /** Hands the loop the task that writes what is pending; made once, not per packet. */
  private void scheduleWritePending() {
    if (!inOrder(writePendingTask)) {
      pending.takeAll(); // the loop is shutting down and closes the channel
    }
  }

  /**
   * Writes what other threads sent since the last such task, as one buffer: a lane that fans a
   * message out hands the loop one task and one write per connection and batch, not one per
   * packet (the loop copies each write into a direct buffer for the socket).
   */
  private void writePending() {
    ByteBuffer[] parts = pending.takeAll();
    if (parts.length > 0) {
      channel.write(Unpooled.wrappedBuffer(parts), channel.voidPromise());
    }
  }

  @Override
  public void flush() {
    inOrder(channel::flush);
  }

  /**
   * Runs the action on the event loop after every earlier write, flush or close from any thread.
   *
   * @return false when the event loop is shutting down and refused it
   */
  private boolean inOrder(Runnable action) {
    EventLoop loop = channel.eventLoop();
    if (loop.inEventLoop() && queued.get() == 0) {
      action.run();
      return true;
    }
    queued.incrementAndGet();
    try {
      loop.execute(() -> {
        queued.decrementAndGet();
        action.run();
      });
      return true;
    } catch (RejectedExecutionException shuttingDown) {
      queued.decrementAndGet();
      return false;
    }
  }

  @Override
  public boolean isWritable() {
    return channel.isWritable();
  }

  @Override
  public void setReadingPaused(boolean paused) {
    readingPaused = paused;
    if (closing.get()) {
      return;
    }
    EventLoop loop = channel.eventLoop();
    if (loop.inEventLoop()) {
      applyReadingPaused();
      return;
    }
    try {
      loop.execute(this::applyReadingPaused);
    } catch (RejectedExecutionException shuttingDown) {
      // the loop closes the channel
    }
  }

  /**
   * Applies the latest request, so a stale task cannot undo a newer one. Only on the loop: NIO
   * switches autoRead off from another thread in a task of its own that does not look at
   * autoRead again, so it could stop reading after a resume made on the loop meanwhile.
   */
  private void applyReadingPaused() {
    if (!closing.get()) {
      channel.config().setAutoRead(!readingPaused);
    }
  }

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    if (!inOrder(() -> LingeringClose.start(channel, lingerMillis, flushedOnClose))) {
      // The loop is shutting down and closes all of its channels itself.
      channel.close();
    }
  }

  @Override
  public void abort() {
    closing.set(true);
    // Channel.close is thread-safe; a peer that reads nothing gets no lingering close
    channel.close();
  }

  /** @return whether {@link #close()} was called: the engine wants no more bytes */
  boolean isClosing() {
    return closing.get();
  }

  @Override
  public TransportInfo info() {
    return info;
  }

  @Override
  public String toString() {
    return "NettyTransport[" + info.kind() + " " + info.remoteAddress() + "]";
  }
}
