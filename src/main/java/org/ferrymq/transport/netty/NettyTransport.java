package org.ferrymq.transport.netty;

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
import org.ferrymq.transport.Transport;
import org.ferrymq.transport.TransportInfo;

/**
 * Adapts one Netty channel to the engine's {@link Transport}.
 *
 * <p>Thread-safe: every method may be called from any thread; Netty runs writes, flushes and the
 * close on the channel's event loop in the order they were issued by one thread.
 */
final class NettyTransport implements Transport {

  /** How long {@link #close()} waits for queued bytes to reach a slow peer before cutting it off. */
  static final long CLOSE_LINGER_MILLIS = 10_000;

  private final Channel channel;
  private final TransportInfo info;
  private final AtomicBoolean closing = new AtomicBoolean();

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
    channel.write(Unpooled.wrappedBuffer(bytes), channel.voidPromise());
  }

  @Override
  public void flush() {
    channel.flush();
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
    EventLoop loop = channel.eventLoop();
    if (loop.inEventLoop()) {
      closeAfterDrain();
      return;
    }
    try {
      loop.execute(this::closeAfterDrain);
    } catch (RejectedExecutionException shuttingDown) {
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
