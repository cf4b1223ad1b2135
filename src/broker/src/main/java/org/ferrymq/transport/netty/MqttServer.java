package org.ferrymq.transport.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.ferrymq.transport.ConnectionAcceptor;
import org.ferrymq.transport.TransportKind;

/**
 * Accepts MQTT connections over TCP, TLS and WebSocket (ws and wss) and hands each one to a
 * {@link ConnectionAcceptor}.
 *
 * <p>Threading: the server owns {@code ioThreads} event loops whose threads are borrowed from the
 * caller's {@link Executor}, one long-running task per loop, started lazily when the loop gets its
 * first channel. Accepting and all I/O of a connection happen on one loop, which is also the
 * thread that calls the connection's {@link org.ferrymq.transport.InboundHandler}; engine work
 * must therefore never block inside those callbacks. The public methods are thread-safe; {@link
 * #close()} must not be called from an event loop thread if it is to wait for the loops.
 */
public final class MqttServer implements AutoCloseable {

  /** Upper bound for {@link #close()} and {@link BoundListener#close()} to wait. */
  static final long SHUTDOWN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(15);

  private static final Logger LOG = Logger.getLogger(MqttServer.class.getName());
  private static final long BIND_TIMEOUT_SECONDS = 30;
  private static final int BACKLOG = 1024;
  private static final long SHUTDOWN_GRACE_SECONDS = 2;

  private final ConnectionAcceptor acceptor;
  private final TaskTrackingExecutor tasks;
  private final MultiThreadIoEventLoopGroup loops;
  private final IoTransport io;
  private final Set<NettyListener> listeners = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  /**
   * How long a connection the engine closed waits for the peer's FIN after its own, for the
   * listeners bound from then on; package-private so that tests can change it.
   */
  volatile long lingerMillis = LingeringClose.LINGER_MILLIS;
  /** How long a TLS handshake or WebSocket upgrade may take from accept; see the setter. */
  private volatile long handshakeTimeoutMillis = DEFAULT_HANDSHAKE_TIMEOUT_MILLIS;

  /** The handshake timeout until {@link #handshakeTimeout} says otherwise: 10 s. */
  public static final long DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  /**
   * Creates a server that uses epoll when the native library loads, NIO otherwise. No thread is
   * started until the first {@link #bind(ListenerSettings)}.
   *
   * @param acceptor registers each connection with the engine
   * @param executor runs one long-running task per event loop, e.g. a managed work manager
   * @param ioThreads number of event loops, 0 for {@link #defaultIoThreads()}
   */
  public MqttServer(ConnectionAcceptor acceptor, Executor executor, int ioThreads) {
    this(acceptor, executor, ioThreads, true);
  }

  /**
   * Creates a server, choosing the socket implementation explicitly.
   *
   * @param acceptor registers each connection with the engine
   * @param executor runs one long-running task per event loop, e.g. a managed work manager
   * @param ioThreads number of event loops, 0 for {@link #defaultIoThreads()}
   * @param preferNative {@code false} to use NIO even where epoll is available
   */
  public MqttServer(ConnectionAcceptor acceptor, Executor executor, int ioThreads,
      boolean preferNative) {
    this.acceptor = Objects.requireNonNull(acceptor, "acceptor");
    if (ioThreads < 0) {
      throw new IllegalArgumentException("ioThreads must be >= 0, was " + ioThreads);
    }
    int threads = ioThreads == 0 ? defaultIoThreads() : ioThreads;
    LeakDetection.offUnlessAsked();
    this.io = preferNative ? IoTransport.preferNative() : IoTransport.nio();
    this.tasks = new TaskTrackingExecutor(executor);
    this.loops = new MultiThreadIoEventLoopGroup(threads, tasks, io.handlerFactory());
  }

  /**
   * One event loop per four processors, at least one. The loops only move bytes and decode; the
   * engine's lanes do the protocol work under load. Fewer loops put more connections on one
   * thread, so more deliveries are written by the thread that routed them instead of waking
   * another loop; on 2 cores one loop gave a quarter of the p99 latency of two and no less
   * throughput (docs/performance.md).
   */
  public static int defaultIoThreads() {
    return Math.max(1, Runtime.getRuntime().availableProcessors() / 4);
  }

  /**
   * Binds a listener now; it accepts connections until it or this server is closed.
   *
   * @param settings address, TLS material and water marks
   * @return the bound listener, whose {@link BoundListener#port()} is the actual port
   * @throws IOException naming {@code host:port} when the address cannot be bound, or naming the
   *     store when the TLS key material cannot be loaded
   * @throws IllegalStateException when this server is closed
   */
  public BoundListener bind(ListenerSettings settings) throws IOException {
    Objects.requireNonNull(settings, "settings");
    requireOpen();
    Supplier<SslContext> ssl = settings.tls() == null ? null
        : SslContexts.forListener(settings.tls());
    TransportKind kind = settings.kind();
    String endpoint = settings.endpoint();
    ChannelGroup connections = new DefaultChannelGroup(endpoint, ImmediateEventExecutor.INSTANCE);
    long linger = lingerMillis;
    long handshakeTimeout = handshakeTimeoutMillis;
    InetSocketAddress address = settings.host() == null
        ? new InetSocketAddress(settings.port())
        : new InetSocketAddress(settings.host(), settings.port());
    if (address.isUnresolved()) {
      throw new IOException("Cannot bind MQTT " + kind + " listener on " + endpoint
          + ": unknown host " + settings.host());
    }
    ChannelFuture bound = new ServerBootstrap()
        .group(loops)
        .channel(io.serverChannelType())
        .option(ChannelOption.SO_BACKLOG, BACKLOG)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(settings.lowWaterMark(), settings.highWaterMark()))
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel channel) {
            connections.add(channel);
            ChannelPipeline pipeline = channel.pipeline();
            if (ssl != null) {
              pipeline.addLast("tls", ssl.get().newHandler(channel.alloc()));
            }
            if (settings.webSocket() != null) {
              WebSocketFraming.install(pipeline, settings.webSocket());
            }
            pipeline.addLast("mqtt",
                new ConnectionHandler(acceptor, kind, linger, handshakeTimeout));
          }
        })
        .bind(address);
    awaitBind(bound, kind, endpoint);
    int port = ((InetSocketAddress) bound.channel().localAddress()).getPort();
    NettyListener listener =
        new NettyListener(bound.channel(), connections, kind, port, endpoint, listeners::remove);
    listeners.add(listener);
    if (closed.get()) {
      listener.close();
      requireOpen();
    }
    LOG.info(() -> "MQTT " + kind + " listener bound on " + endpoint + " (port " + port + ", "
        + (io.isNative() ? "epoll" : "nio") + ")");
    return listener;
  }

  /**
   * Sets how long a connection may take from accept to the end of its TLS handshake or
   * WebSocket upgrade, for listeners bound from then on; a connection that has not finished by
   * then is closed. Plain TCP connections reach the engine at once, whose CONNECT timeout covers
   * them; this closes the sockets that would otherwise never reach it (a peer that opens a TLS
   * or WebSocket connection and sends nothing).
   *
   * @param millis the timeout, at least 1
   */
  public void handshakeTimeout(long millis) {
    if (millis < 1) {
      throw new IllegalArgumentException("handshake timeout must be positive, was " + millis);
    }
    handshakeTimeoutMillis = millis;
  }

  /** @return whether the native epoll transport is in use rather than NIO */
  public boolean nativeTransport() {
    return io.isNative();
  }

  /**
   * Closes every listener and connection, shuts the event loops down and waits, bounded, until
   * every task handed to the executor has returned. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + SHUTDOWN_TIMEOUT_NANOS;
    boolean onLoop = isEventLoopThread();
    for (NettyListener listener : List.copyOf(listeners)) {
      listener.close(onLoop ? System.nanoTime() : deadline);
    }
    Future<?> terminated = loops.shutdownGracefully(0, SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
    if (onLoop) {
      LOG.fine("MqttServer closed from its own event loop; not waiting for the loops to end");
      return;
    }
    awaitQuietly(terminated, deadline);
    try {
      if (!tasks.awaitIdle(deadline)) {
        LOG.warning(() -> tasks.pending() + " event loop task(s) still running after "
            + TimeUnit.NANOSECONDS.toSeconds(SHUTDOWN_TIMEOUT_NANOS) + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits for a future until a deadline, keeping the thread's interrupt status.
   *
   * @return whether the future completed in time
   */
  static boolean awaitQuietly(Future<?> future, long deadlineNanos) {
    try {
      return future.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return future.isDone();
    }
  }

  private static void awaitBind(ChannelFuture bound, TransportKind kind, String endpoint)
      throws IOException {
    String what = "Cannot bind MQTT " + kind + " listener on " + endpoint;
    try {
      if (!bound.await(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        bound.channel().close();
        throw new IOException(what + ": timed out after " + BIND_TIMEOUT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      bound.channel().close();
      throw new InterruptedIOException(what + ": interrupted");
    }
    if (!bound.isSuccess()) {
      Throwable cause = bound.cause();
      String reason = cause.getMessage() == null ? cause.toString() : cause.getMessage();
      throw new IOException(what + ": " + reason, cause);
    }
  }

  private boolean isEventLoopThread() {
    for (EventExecutor loop : loops) {
      if (loop.inEventLoop()) {
        return true;
      }
    }
    return false;
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("MqttServer is closed");
    }
  }

  @Override
  public String toString() {
    return "MqttServer[" + (io.isNative() ? "epoll" : "nio") + ", listeners=" + listeners + "]";
  }
}
