package org.ferrymq.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.transport.netty.ListenerSettings;
import org.ferrymq.transport.netty.MqttServer;
import org.ferrymq.transport.netty.SelfSignedKeyStore;
import org.ferrymq.transport.netty.TlsSettings;
import org.ferrymq.transport.netty.WebSocketSettings;

/**
 * The engine and the Netty TCP listener without Liberty, for profiling and for checking the load
 * generator quickly: {@code StandaloneBroker <port>}. Settings come from system properties with
 * the engine's keys ({@code -Dmqtt.lanes=4}); {@code -Dferrymq.io-threads} sets the event loops;
 * {@code -Dferrymq.ws-port}, {@code -Dferrymq.tls-port} and {@code -Dferrymq.wss-port} add ws,
 * TLS and wss listeners (TLS with a self-signed key made at start). The published numbers are
 * for the Liberty-hosted broker (docs/performance.md).
 */
public final class StandaloneBroker {
  private StandaloneBroker() {
  }

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : ListenerSettings.MQTT_PORT;
    MqttBroker broker = MqttBroker.builder()
        .config(BrokerConfig.from(key -> Optional.ofNullable(System.getProperty(key))))
        .build();
    broker.start();
    ExecutorService io = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "standalone-io");
      t.setDaemon(true);
      return t;
    });
    MqttServer server = new MqttServer(broker, io, Integer.getInteger("ferrymq.io-threads", 0));
    server.handshakeTimeout(broker.config().connectTimeoutSeconds() * 1000L);
    server.bind(ListenerSettings.tcp("127.0.0.1", port));
    WebSocketSettings webSocket =
        WebSocketSettings.forMaxPacketSize(broker.config().maxPacketSize());
    int wsPort = Integer.getInteger("ferrymq.ws-port", 0);
    if (wsPort > 0) {
      server.bind(ListenerSettings.tcp("127.0.0.1", wsPort).withWebSocket(webSocket));
    }
    int tlsPort = Integer.getInteger("ferrymq.tls-port", 0);
    int wssPort = Integer.getInteger("ferrymq.wss-port", 0);
    if (tlsPort > 0 || wssPort > 0) {
      Path keys = Files.createTempDirectory("standalone-tls").resolve("key.p12");
      char[] password = "standalone".toCharArray();
      SelfSignedKeyStore.createIfMissing(keys, password, "localhost");
      TlsSettings tls = TlsSettings.fromKeyStore(keys, password);
      if (tlsPort > 0) {
        server.bind(ListenerSettings.tls("127.0.0.1", tlsPort, tls));
      }
      if (wssPort > 0) {
        server.bind(ListenerSettings.tls("127.0.0.1", wssPort, tls).withWebSocket(webSocket));
      }
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      broker.stop();
      stopped.countDown();
    }, "standalone-stop"));
    System.out.println("FERRYMQ STARTED port=" + port);
    stopped.await();
  }
}
