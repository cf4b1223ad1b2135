package org.ferrymq.clients;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.engine.ClientSummary;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.transport.TransportKind;
import org.ferrymq.transport.netty.BoundListener;
import org.ferrymq.transport.netty.ListenerSettings;
import org.ferrymq.transport.netty.MqttServer;
import org.ferrymq.transport.netty.TlsSettings;

/**
 * An {@link MqttBroker} served by the Netty {@link MqttServer} on an ephemeral loopback port,
 * with a {@link WireTap} in between. One per test class.
 */
final class RunningBroker implements AutoCloseable {

  static final String HOST = "127.0.0.1";

  private final MqttBroker broker;
  private final WireTap tap;
  private final ExecutorService ioThreads;
  private final MqttServer server;
  private final BoundListener listener;

  private RunningBroker(Map<String, String> settings, TlsSettings tls) {
    broker = MqttBroker.builder()
        .config(BrokerConfig.from(key -> Optional.ofNullable(settings.get(key))))
        .build();
    broker.start();
    tap = new WireTap(broker);
    AtomicInteger threadNumber = new AtomicInteger();
    ioThreads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "clients-test-io-" + threadNumber.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server = new MqttServer(tap, ioThreads, 2);
    try {
      listener = server.bind(tls == null ? ListenerSettings.tcp(HOST, 0)
          : ListenerSettings.tls(HOST, 0, tls));
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a broker with default settings, except two lanes, on a plain TCP listener. */
  static RunningBroker tcp() {
    return new RunningBroker(Map.of("mqtt.lanes", "2"), null);
  }

  /** Starts a broker with default settings, except two lanes, on a TLS listener. */
  static RunningBroker tls(TlsSettings tls) {
    return new RunningBroker(Map.of("mqtt.lanes", "2"), tls);
  }

  int port() {
    return listener.port();
  }

  /** @return the Paho server URI of the listener */
  String uri() {
    return (listener.kind() == TransportKind.TLS ? "ssl://" : "tcp://") + HOST + ":" + port();
  }

  MqttBroker broker() {
    return broker;
  }

  WireTap tap() {
    return tap;
  }

  /** @return whether the broker has a session for the client with a connection attached */
  boolean isConnected(String clientId) {
    return broker.clients().stream()
        .anyMatch(c -> c.clientId().equals(clientId) && c.connected());
  }

  /** @return whether the broker knows a session for the client, connected or not */
  boolean hasSession(String clientId) {
    return broker.clients().stream().map(ClientSummary::clientId).anyMatch(clientId::equals);
  }

  @Override
  public void close() {
    server.close();
    broker.stop();
    ioThreads.shutdownNow();
  }
}
