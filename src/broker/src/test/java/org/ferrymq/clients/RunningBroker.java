package org.ferrymq.clients;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.engine.ClientSummary;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.transport.TransportKind;
import org.ferrymq.transport.netty.BoundListener;
import org.ferrymq.transport.netty.ListenerSettings;
import org.ferrymq.transport.netty.MqttServer;
import org.ferrymq.transport.netty.TlsSettings;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An {@link MqttBroker} served by the Netty {@link MqttServer} on an ephemeral loopback port,
 * with a {@link WireTap} in between. Registered as a static extension, it starts before the
 * first test of a class and stops after the last.
 */
final class RunningBroker implements BeforeAllCallback, AfterAllCallback {

  static final String HOST = "127.0.0.1";

  private final Supplier<TlsSettings> tls;
  private final BrokerConfig config;
  private final UnaryOperator<MqttBroker.Builder> customise;
  private MqttBroker broker;
  private WireTap tap;
  private ExecutorService ioThreads;
  private MqttServer server;
  private BoundListener listener;

  private RunningBroker(Supplier<TlsSettings> tls, BrokerConfig config) {
    this(tls, config, b -> b);
  }

  private RunningBroker(Supplier<TlsSettings> tls, BrokerConfig config,
      UnaryOperator<MqttBroker.Builder> customise) {
    this.tls = tls;
    this.config = config;
    this.customise = customise;
  }

  /** A broker with default settings, except two lanes, on a plain TCP listener. */
  static RunningBroker tcp() {
    return new RunningBroker(() -> null, TestBrokers.config());
  }

  /**
   * Starts a broker on a plain TCP listener now; the caller stops it with {@link #stop()}.
   *
   * @param keyValues alternating setting keys and values (two lanes unless given)
   */
  static RunningBroker startTcp(String... keyValues) throws IOException {
    RunningBroker running = new RunningBroker(() -> null, TestBrokers.config(keyValues));
    running.start();
    return running;
  }

  /**
   * Starts a broker on a plain TCP listener now, built with an authenticator, authorizer or
   * other parts the test chooses; the caller stops it with {@link #stop()}.
   *
   * @param customise applied to the builder after the configuration is set
   * @param keyValues alternating setting keys and values (two lanes unless given)
   */
  static RunningBroker startTcp(UnaryOperator<MqttBroker.Builder> customise,
      String... keyValues) throws IOException {
    RunningBroker running = new RunningBroker(() -> null, TestBrokers.config(keyValues),
        customise);
    running.start();
    return running;
  }

  /**
   * A broker with default settings, except two lanes, on a TLS listener.
   *
   * @param tls called once when the broker starts, after static {@code @TempDir} fields are set
   */
  static RunningBroker tls(Supplier<TlsSettings> tls) {
    return new RunningBroker(tls, TestBrokers.config());
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    start();
  }

  private void start() throws IOException {
    broker = customise.apply(MqttBroker.builder().config(config)).build();
    broker.start();
    tap = new WireTap(broker);
    AtomicInteger threadNumber = new AtomicInteger();
    ioThreads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "clients-test-io-" + threadNumber.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server = new MqttServer(tap, ioThreads, 2);
    TlsSettings settings = tls.get();
    listener = server.bind(settings == null ? ListenerSettings.tcp(HOST, 0)
        : ListenerSettings.tls(HOST, 0, settings));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  void stop() {
    if (server != null) {
      server.close();
    }
    if (broker != null) {
      broker.stop();
    }
    if (ioThreads != null) {
      ioThreads.shutdownNow();
    }
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
}
