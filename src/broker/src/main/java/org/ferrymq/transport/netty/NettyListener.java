package org.ferrymq.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.ferrymq.transport.TransportKind;

/**
 * One bound server channel plus the connections it accepted.
 *
 * <p>Thread-safe: the connection group is concurrent and {@link #close()} runs once.
 */
final class NettyListener implements BoundListener {

  private static final Logger LOG = Logger.getLogger(MqttServer.class.getName());

  private final Channel serverChannel;
  private final ChannelGroup connections;
  private final TransportKind kind;
  private final int port;
  private final String endpoint;
  private final Consumer<NettyListener> onClose;
  private final AtomicBoolean closed = new AtomicBoolean();

  NettyListener(Channel serverChannel, ChannelGroup connections, TransportKind kind, int port,
      String endpoint, Consumer<NettyListener> onClose) {
    this.serverChannel = serverChannel;
    this.connections = connections;
    this.kind = kind;
    this.port = port;
    this.endpoint = endpoint;
    this.onClose = onClose;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public boolean isAccepting() {
    return !closed.get() && serverChannel.isActive();
  }

  @Override
  public TransportKind kind() {
    return kind;
  }

  @Override
  public long openConnections() {
    return connections.size();
  }

  @Override
  public void close() {
    close(System.nanoTime() + MqttServer.SHUTDOWN_TIMEOUT_NANOS);
  }

  /** Closes the server channel first so that no connection slips in while the others close. */
  void close(long deadlineNanos) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    MqttServer.awaitQuietly(serverChannel.close(), deadlineNanos);
    List<Future<?>> closing = new ArrayList<>();
    for (Channel connection : connections) {
      closing.add(connection.close());
    }
    for (Future<?> future : closing) {
      MqttServer.awaitQuietly(future, deadlineNanos);
    }
    onClose.accept(this);
    LOG.info(() -> "MQTT " + kind + " listener on " + endpoint + " (port " + port + ") closed");
  }

  @Override
  public String toString() {
    return "BoundListener[" + kind + " " + endpoint + " -> port " + port + "]";
  }
}
