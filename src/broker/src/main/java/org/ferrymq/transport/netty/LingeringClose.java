package org.ferrymq.transport.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * How the broker closes a connection ({@link NettyTransport#close()}) without resetting it.
 * Closing a socket whose receive buffer still holds bytes nobody read makes the kernel send RST
 * instead of FIN, and the peer, typically a client still sending PUBLISH packets, then loses
 * what it had not read yet: the DISCONNECT saying why, or a refusing CONNACK. So the close
 * lingers:
 *
 * <ol>
 *   <li>This handler goes to the head of the pipeline and reading is switched on, also when the
 *       engine had paused it: every byte read from now on is discarded before TLS, WebSocket or
 *       the engine sees it, so a peer blocked in a write can get on to reading.
 *   <li>Once everything queued has reached the socket (at most {@link #DRAIN_TIMEOUT_MILLIS}; a
 *       peer that reads nothing for that long is cut off), the engine is told the connection is
 *       closed, the WebSocket Close frame and the TLS close_notify follow, and the sending side
 *       is shut down (FIN).
 *   <li>The channel closes when the peer closes its side, or after the linger time.
 * </ol>
 *
 * <p>Confined to the channel's event loop.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {

  /** How long a close waits for queued bytes to reach a slow peer before cutting it off. */
  static final long DRAIN_TIMEOUT_MILLIS = 10_000;

  /** How long the socket stays open after the FIN, waiting for the peer to close its side. */
  static final long LINGER_MILLIS = 2_000;

  private static final Logger LOG = Logger.getLogger(LingeringClose.class.getName());
  private static final String NAME = "lingering-close";

  private final long lingerMillis;
  private final Runnable flushed;
  private ChannelHandlerContext ctx;

  private LingeringClose(long lingerMillis, Runnable flushed) {
    this.lingerMillis = lingerMillis;
    this.flushed = flushed;
  }

  /**
   * Starts closing the channel; on its event loop, after every write the engine made before.
   *
   * @param lingerMillis how long to wait for the peer's FIN after ours
   * @param flushed runs once what was queued has reached the socket, as a task of its own on the
   *     event loop (never inside the caller's stack)
   */
  static void start(Channel channel, long lingerMillis, Runnable flushed) {
    if (!channel.isActive()) {
      // Already closed, or closing: channelInactive reports it.
      return;
    }
    LingeringClose handler = new LingeringClose(lingerMillis, flushed);
    channel.pipeline().addFirst(NAME, handler);
    channel.config().setAutoRead(true);
    handler.drain();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // The handlers behind got no bytes, so there is nothing for them to complete.
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      // The peer's FIN where half-closure is allowed; otherwise Netty closes the channel itself.
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.fine(() -> "Closing connection from " + ctx.channel().remoteAddress()
        + " while it lingered: " + cause);
    ctx.close();
  }

  private void drain() {
    // Completes once every earlier write has reached the socket.
    ChannelFuture drained = ctx.channel().writeAndFlush(Unpooled.EMPTY_BUFFER);
    if (drained.isDone()) {
      afterDrain(drained);
      return;
    }
    // Closing from this context, the pipeline's first, skips the handlers that would try to
    // write a Close frame or close_notify to a peer that reads nothing.
    ScheduledFuture<?> cutOff =
        ctx.executor().schedule(() -> ctx.close(), DRAIN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    drained.addListener(done -> {
      cutOff.cancel(false);
      afterDrain(drained);
    });
  }

  private void afterDrain(ChannelFuture drained) {
    Channel channel = ctx.channel();
    if (!drained.isSuccess() || !channel.isActive()) {
      ctx.close();
      return;
    }
    ctx.executor().execute(flushed);
    ScheduledFuture<?> linger =
        ctx.executor().schedule(() -> ctx.close(), lingerMillis, TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(closed -> linger.cancel(false));
    sendClosingMessages().addListener(sent -> shutdownOutput(sent.isSuccess()));
  }

  /**
   * Sends the WebSocket Close frame inside TLS, then close_notify.
   *
   * @return completes when the last of them has reached the socket
   */
  private ChannelFuture sendClosingMessages() {
    ChannelPipeline pipeline = ctx.pipeline();
    ChannelFuture last = ctx.newSucceededFuture();
    ChannelHandlerContext webSocket = pipeline.context(WebSocketFraming.class);
    if (webSocket != null) {
      last = ((WebSocketFraming) webSocket.handler()).sendClose(webSocket);
    }
    SslHandler tls = pipeline.get(SslHandler.class);
    if (tls != null) {
      last = tls.closeOutbound();
    }
    return last;
  }

  private void shutdownOutput(boolean sent) {
    if (sent && ctx.channel() instanceof DuplexChannel duplex) {
      duplex.shutdownOutput().addListener(done -> {
        if (!done.isSuccess()) {
          ctx.close();
        }
      });
    } else {
      ctx.close();
    }
  }
}
