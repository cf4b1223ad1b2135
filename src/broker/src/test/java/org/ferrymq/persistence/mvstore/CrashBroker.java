package org.ferrymq.persistence.mvstore;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.PersistenceFactory;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.PersistenceSettings;
import org.ferrymq.transport.netty.BoundListener;
import org.ferrymq.transport.netty.ListenerSettings;
import org.ferrymq.transport.netty.MqttServer;

/**
 * The broker that {@link KillNineCrashTest} runs in a child JVM and kills: mode {@code
 * persistent} on the MVStore in {@code args[0]}, plain TCP on a free loopback port, printed as
 * {@code LISTENING <port>} once bound. Queue limits are raised so that nothing is dropped by
 * policy, only (if the store were wrong) by the crash.
 */
public final class CrashBroker {
  private CrashBroker() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> settings = Map.of("mqtt.lanes", "2",
        "mqtt.queue.max-messages", "10000000",
        "mqtt.queue.max-bytes", "2000000000");
    Persistence store = PersistenceFactory.create(PersistenceSettings.defaults()
        .withMode(PersistenceMode.PERSISTENT).withDirectory(Path.of(args[0])));
    MqttBroker broker = MqttBroker.builder()
        .config(BrokerConfig.from(k -> Optional.ofNullable(settings.get(k))))
        .persistence(store)
        .build();
    broker.start();
    MqttServer server = new MqttServer(broker, Executors.newCachedThreadPool(), 2);
    BoundListener listener = server.bind(ListenerSettings.tcp("127.0.0.1", 0));
    System.out.println("LISTENING " + listener.port());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
