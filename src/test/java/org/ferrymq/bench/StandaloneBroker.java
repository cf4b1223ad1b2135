package org.ferrymq.bench;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.transport.netty.ListenerSettings;
import org.ferrymq.transport.netty.MqttServer;
import org.ferrymq.transport.netty.WebSocketSettings;

/**
 * The engine and the Netty TCP listener without Liberty, for profiling and for checking the load
 * generator quickly: {@code StandaloneBroker <port>}. Settings come from system properties with
 * the engine's keys ({@code -Dmqtt.lanes=4}); {@code -Dferrymq.io-threads} sets the event loops, {@code -Dferrymq.ws-port} adds a
 * WebSocket listener. The published numbers are for the Liberty-hosted
 * broker (docs/performance.md).
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
    server.bind(ListenerSettings.tcp("127.0.0.1", port));
    int wsPort = Integer.getInteger("ferrymq.ws-port", 0);
    if (wsPort > 0) {
      server.bind(ListenerSettings.tcp("127.0.0.1", wsPort).withWebSocket(
          WebSocketSettings.forMaxPacketSize(broker.config().maxPacketSize())));
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
