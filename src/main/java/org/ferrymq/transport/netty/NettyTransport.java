package org.ferrymq.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
 * only when no call from another thread is still waiting in the loop's task queue.
 */
final class NettyTransport implements Transport {

  /** How long {@link #close()} waits for queued bytes to reach a slow peer before cutting it off. */
  static final long CLOSE_LINGER_MILLIS = 10_000;

  private final Channel channel;
  private final TransportInfo info;
  private final AtomicBoolean closing = new AtomicBoolean();
  /** Writes and flushes handed to the event loop's task queue and not yet run there. */
  private final AtomicInteger queued = new AtomicInteger();

  NettyTransport(Channel channel, TransportInfo info) {
    this.channel = channel;
    this.info = info;
  }

  @Override
  public void send(ByteBuffer bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (closing.get() || !bytes.hasRemaining()) {
      return;
    }
    // Wrapping shares the engine's buffer without copying; the transport owns it from here on.
    ByteBuf buffer = Unpooled.wrappedBuffer(bytes);
    inOrder(() -> channel.write(buffer, channel.voidPromise()));
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
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    if (!inOrder(this::closeAfterDrain)) {
      // The loop is shutting down and closes all of its channels itself.
      channel.close();
    }
  }

  @Override
  public TransportInfo info() {
    return info;
  }

  private void closeAfterDrain() {
    // Completes once every earlier write has reached the socket.
    ChannelFuture drained = channel.writeAndFlush(Unpooled.EMPTY_BUFFER);
    if (drained.isDone()) {
      channel.close();
      return;
    }
    Runnable cutOff = channel::close;
    ScheduledFuture<?> linger =
        channel.eventLoop().schedule(cutOff, CLOSE_LINGER_MILLIS, TimeUnit.MILLISECONDS);
    drained.addListener(done -> {
      linger.cancel(false);
      channel.close();
    });
  }

  @Override
  public String toString() {
    return "NettyTransport[" + info.kind() + " " + info.remoteAddress() + "]";
  }
}
