package org.ferrymq.transport.netty;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.function.BiPredicate;

/**
 * Refuses a WebSocket upgrade whose {@code Origin} the broker does not allow with HTTP 403, before
 * the handshake (RFC 6455 4.2.2: a server that does not accept the origin answers with an HTTP
 * error). After the upgrade only frames pass, which it hands on unchanged.
 */
final class OriginCheck extends ChannelInboundHandlerAdapter {
  private final BiPredicate<String, String> allows;

  OriginCheck(BiPredicate<String, String> allows) {
    this.allows = allows;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest request) {
      String origin = request.headers().get(HttpHeaderNames.ORIGIN);
      String host = request.headers().get(HttpHeaderNames.HOST);
      if (!allows.test(origin, host)) {
        request.release();
        DefaultFullHttpResponse forbidden = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.FORBIDDEN);
        forbidden.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        forbidden.headers().set(HttpHeaderNames.CONNECTION, "close");
        ctx.writeAndFlush(forbidden).addListener(ChannelFutureListener.CLOSE);
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }
}
