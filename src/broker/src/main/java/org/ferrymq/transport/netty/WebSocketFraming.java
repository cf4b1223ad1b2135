package org.ferrymq.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.util.logging.Logger;

/**
 * Turns a WebSocket connection into the MQTT byte stream the {@link ConnectionHandler} after it
 * expects, and back (MQTT 5.0 and 3.1.1 section 6).
 *
 * <ul>
 *   <li>Inbound: the content of binary frames, continuation frames included, is passed on as it
 *       arrives; packets may span frames or share one [MQTT-6.0.0-2]. Any other data frame
 *       closes the connection with status 1003 [MQTT-6.0.0-1].
 *   <li>The upgrade must agree a subprotocol: {@code mqtt} [MQTT-6.0.0-4], or {@code mqttv3.1}
 *       for MQTT 3.1 clients; without one the connection closes with 1002 before MQTT starts.
 *   <li>Outbound: every byte written between two flushes goes out as one binary frame, so a
 *       batch of deliveries costs the client one frame header and one frame parse.
 *   <li>A close sends a Close frame, 1000, after the last binary frame; nothing follows it.
 *   <li>HTTP requests for any other path get 404; an upgrade from a web page whose origin the
 *       settings refuse gets 403 ({@link OriginCheck}).
 * </ul>
 *
 * <p>Confined to the channel's event loop, like the rest of the pipeline.
 */
final class WebSocketFraming extends ChannelDuplexHandler {

  private static final String SUBPROTOCOLS = "mqtt,mqttv3.1,mqttv3.1.1";
  private static final Logger LOG = Logger.getLogger(WebSocketFraming.class.getName());
  private static final int MAX_REQUEST_BYTES = 8 * 1024;
  private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;
  private static final int MAX_COMPONENTS = 1024;

  private CompositeByteBuf pending;
  private boolean open;
  private boolean closeSent;

  /**
   * Adds HTTP, the WebSocket upgrade and this handler to a pipeline; the MQTT handler goes last.
   */
  static void install(ChannelPipeline pipeline, WebSocketSettings settings) {
    pipeline.addLast("http", new HttpServerCodec());
    pipeline.addLast("http-request", new HttpObjectAggregator(MAX_REQUEST_BYTES));
    pipeline.addLast("websocket-origin", new OriginCheck(settings.originCheck()));
    pipeline.addLast("websocket", new WebSocketServerProtocolHandler(
        WebSocketServerProtocolConfig.newBuilder()
            .websocketPath(settings.path())
            .subprotocols(SUBPROTOCOLS)
            .maxFramePayloadLength(settings.maxFrameBytes())
            .handshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS)
            .checkStartsWith(false)
            .allowExtensions(false)
            // exceptionCaught sends the Close frame, so that a connection gets only one
            .closeOnProtocolViolation(false)
            .build()));
    pipeline.addLast("websocket-mqtt", new WebSocketFraming());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
      // Ownership of the content passes on; the ConnectionHandler releases it.
      ctx.fireChannelRead(((WebSocketFrame) msg).content());
    } else if (msg instanceof WebSocketFrame frame) {
      frame.release();
      closeWith(ctx, WebSocketCloseStatus.INVALID_MESSAGE_TYPE, "MQTT needs binary frames");
    } else if (msg instanceof FullHttpRequest request) {
      request.release();
      notFound(ctx);
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
      String subprotocol = handshake.selectedSubprotocol();
      if (subprotocol == null || subprotocol.isEmpty()) {
        LOG.fine(() -> "WebSocket client " + ctx.channel().remoteAddress()
            + " offered no MQTT subprotocol; closing");
        closeWith(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "subprotocol mqtt required");
        return;
      }
      open = true;
    }
    ctx.fireUserEventTriggered(event);
  }

  /**
   * A frame the decoder refused (over {@code maxFrameBytes}: 1009, unmasked: 1002, ...) is
   * answered here with a Close frame of the decoder's status. The decoder must not send its own
   * ({@code closeOnProtocolViolation(false)}): it writes it past this handler and then closes the
   * channel, and that close passing {@link #close} would add a second Close frame, 1000, which
   * RFC 6455 5.5.1 does not allow. A client's bad frame is no reason for a warning either, so
   * the exception ends here; the protocol handler before this one closes the channel.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException corrupt) {
      LOG.fine(() -> "Closing WebSocket connection from " + ctx.channel().remoteAddress() + ": "
          + corrupt.getMessage());
      WebSocketCloseStatus status = corrupt.closeStatus() == null
          ? WebSocketCloseStatus.PROTOCOL_ERROR : corrupt.closeStatus();
      closeWith(ctx, status, status.reasonText());
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf bytes)) {
      ctx.write(msg, promise);
      return;
    }
    if (!open || closeSent) {
      // Nothing may follow a Close frame (RFC 6455 5.5.1); the empty write still completes the
      // promise in order with the bytes before it.
      bytes.release();
      ctx.write(Unpooled.EMPTY_BUFFER, promise);
      return;
    }
    if (bytes.isReadable()) {
      if (pending == null) {
        pending = ctx.alloc().compositeBuffer(MAX_COMPONENTS);
      }
      pending.addComponent(true, bytes);
    } else {
      bytes.release();
    }
    if (!promise.isVoid()) {
      // Someone waits for these bytes to reach the socket (a draining close): send them now.
      if (pending == null) {
        ctx.write(Unpooled.EMPTY_BUFFER, promise);
      } else {
        writePending(ctx, promise);
      }
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (pending != null) {
      writePending(ctx, ctx.voidPromise());
    }
    ctx.flush();
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    sendClose(ctx);
    ctx.close(promise);
  }

  /**
   * Sends what is pending, then a Close frame, 1000, unless one was sent already or the upgrade
   * did not complete; the channel stays open ({@link LingeringClose} shuts it down later).
   *
   * @param ctx this handler's context
   * @return completes when the Close frame has reached the socket, at once when none is sent
   */
  ChannelFuture sendClose(ChannelHandlerContext ctx) {
    if (!open || closeSent || !ctx.channel().isActive()) {
      return ctx.newSucceededFuture();
    }
    closeSent = true;
    flush(ctx);
    return ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE));
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (pending != null) {
      pending.release();
      pending = null;
    }
  }

  private void writePending(ChannelHandlerContext ctx, ChannelPromise promise) {
    BinaryWebSocketFrame frame = new BinaryWebSocketFrame(pending);
    pending = null;
    ctx.write(frame, promise);
  }

  private void closeWith(ChannelHandlerContext ctx, WebSocketCloseStatus status, String reason) {
    if (closeSent) {
      return;
    }
    closeSent = true;
    ctx.writeAndFlush(new CloseWebSocketFrame(status, reason))
        .addListener(ChannelFutureListener.CLOSE);
  }

  private static void notFound(ChannelHandlerContext ctx) {
    DefaultFullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.NOT_FOUND);
    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
    response.headers().set(HttpHeaderNames.CONNECTION, "close");
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
