package org.ferrymq.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.ferrymq.transport.ConnectionAcceptor;
import org.ferrymq.transport.InboundHandler;
import org.ferrymq.transport.TransportInfo;
import org.ferrymq.transport.TransportKind;

/**
 * The last handler of every connection's pipeline: registers the connection with the engine
 * (after the TLS handshake on TLS listeners, so the client's certificates are known; after the
 * upgrade on WebSocket listeners) and feeds its {@link InboundHandler} the MQTT byte stream and
 * both changes of writability. Once the engine has closed the connection it hears nothing more
 * but {@link InboundHandler#onClosed()}, when what it queued has been flushed; the socket may
 * linger a little longer ({@link LingeringClose}).
 *
 * <p>Confined to the channel's event loop, so the engine sees every call for one connection from
 * one thread at a time. Errors close the channel and are logged once; none propagates.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = Logger.getLogger(ConnectionHandler.class.getName());

  private final ConnectionAcceptor acceptor;
  private final TransportKind kind;
  private final long lingerMillis;
  private final long handshakeTimeoutMillis;
  private NettyTransport transport;
  private InboundHandler handler;
  private boolean handshakeDone;
  private boolean closedSignalled;
  private boolean failureLogged;

  /**
   * @param lingerMillis how long a closed connection waits for the peer's FIN after its own
   * @param handshakeTimeoutMillis how long a TLS handshake or WebSocket upgrade may take
   */
  ConnectionHandler(ConnectionAcceptor acceptor, TransportKind kind, long lingerMillis,
      long handshakeTimeoutMillis) {
    this.acceptor = acceptor;
    this.kind = kind;
    this.lingerMillis = lingerMillis;
    this.handshakeTimeoutMillis = handshakeTimeoutMillis;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (kind == TransportKind.TCP) {
      register(ctx, List.of());
    } else {
      // Until the handshake ends the engine does not know the connection, so its CONNECT
      // timeout cannot close it: a silent peer would hold the socket for ever
      ctx.executor().schedule(() -> closeIfStillHandshaking(ctx), handshakeTimeoutMillis,
          TimeUnit.MILLISECONDS);
    }
    ctx.fireChannelActive();
  }

  private void closeIfStillHandshaking(ChannelHandlerContext ctx) {
    if (!handshakeDone && ctx.channel().isActive()) {
      LOG.log(Level.FINE, () -> kind + " handshake with " + ctx.channel().remoteAddress()
          + " not finished within " + handshakeTimeoutMillis + " ms; closing");
      ctx.close();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof SslHandshakeCompletionEvent handshake) {
      if (!handshake.isSuccess()) {
        logFailure(ctx, handshake.cause());
        ctx.close();
      } else if (kind == TransportKind.TLS) {
        register(ctx, peerCertificates(ctx));
      }
    } else if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
      register(ctx, kind == TransportKind.WSS ? peerCertificates(ctx) : List.of());
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf buf = (ByteBuf) msg;
    try {
      // Without a handler the engine refused the connection, which is already closing; once
      // closing, the engine wants no more bytes, not even those of a read under way.
      if (handler == null || transport.isClosing()) {
        return;
      }
      if (buf.nioBufferCount() == 1) {
        handler.onBytes(buf.nioBuffer());
      } else {
        for (ByteBuffer part : buf.nioBuffers()) {
          handler.onBytes(part);
        }
      }
    } finally {
      buf.release();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (handler != null && !transport.isClosing()) {
      // The state now, not the transition that fired the event: a later event follows any change.
      if (ctx.channel().isWritable()) {
        handler.onWritable();
      } else {
        handler.onUnwritable();
      }
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    signalClosed();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    logFailure(ctx, cause);
    ctx.close();
  }

  private void register(ChannelHandlerContext ctx, List<X509Certificate> certificates) {
    handshakeDone = true;
    SocketAddress remote = ctx.channel().remoteAddress();
    TransportInfo info = new TransportInfo(kind,
        remote instanceof InetSocketAddress inet ? inet : null, certificates);
    transport = new NettyTransport(ctx.channel(), info, lingerMillis, () -> flushedOnClose(ctx));
    InboundHandler accepted = acceptor.accept(transport);
    if (accepted == null) {
      throw new IllegalStateException("the connection acceptor returned no inbound handler");
    }
    handler = accepted;
  }

  /** The engine closed the connection and everything it queued has reached the socket. */
  private void flushedOnClose(ChannelHandlerContext ctx) {
    try {
      signalClosed();
    } catch (RuntimeException e) {
      exceptionCaught(ctx, e);
    }
  }

  private void signalClosed() {
    if (handler != null && !closedSignalled) {
      closedSignalled = true;
      handler.onClosed();
    }
  }

  private static List<X509Certificate> peerCertificates(ChannelHandlerContext ctx) {
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    try {
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate certificate : ssl.engine().getSession().getPeerCertificates()) {
        if (certificate instanceof X509Certificate x509) {
          chain.add(x509);
        }
      }
      return chain;
    } catch (SSLPeerUnverifiedException noClientCertificate) {
      return List.of();
    }
  }

  private void logFailure(ChannelHandlerContext ctx, Throwable cause) {
    if (failureLogged) {
      return;
    }
    failureLogged = true;
    SocketAddress peer = ctx.channel().remoteAddress();
    Throwable root = cause instanceof DecoderException && cause.getCause() != null
        ? cause.getCause() : cause;
    if (kind != TransportKind.TCP && !handshakeDone) {
      LOG.log(Level.FINE, () -> kind + " handshake with " + peer + " failed: " + root);
    } else if (root instanceof IOException) {
      LOG.log(Level.FINE, () -> "Closing MQTT connection from " + peer + ": " + root);
    } else {
      LOG.log(Level.WARNING, root, () -> "Closing MQTT connection from " + peer
          + " after an unexpected error");
    }
  }
}
