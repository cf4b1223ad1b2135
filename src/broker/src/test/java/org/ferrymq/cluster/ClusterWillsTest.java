package org.ferrymq.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Will of a client whose connection ends with its node's death is published by the
 * cluster: the connection closed without DISCONNECT [MQTT-3.1.2-8], and its session, ending
 * with the connection, has no backup copy that could hold the Will. A Will discarded by a
 * normal DISCONNECT [MQTT-3.1.2-10] and the Will of a client of a live node are not published.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterWillsTest {
  private static final String SECRET = "a-shared-secret-of-the-will-cluster";
  private final String name = "wills-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<ClusterBroker> nodes = new ArrayList<>();
  private final List<MqttClient> clients = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (MqttClient client : clients) {
      if (client.isConnected()) {
        client.disconnectForcibly(100, 100);
      }
      client.close();
    }
    nodes.forEach(ClusterBroker::close);
  }

  @Test
  void theWillsOfAKilledNodesOpenConnectionsArePublishedByASurvivor() throws Exception {
    nodes.addAll(ClusterBroker.startCluster(name, SECRET, 3));
    // the oldest member dies: the next oldest is the one that publishes
    ClusterBroker doomed = nodes.get(0);
    ClusterBroker b = nodes.get(1);
    ClusterBroker c = nodes.get(2);
    Set<String> received = ConcurrentHashMap.newKeySet();
    MqttClient subscriber = client(c, "will-watcher", null);
    subscriber.subscribe("wills/#", 1, (topic, m) ->
        received.add(topic + "=" + new String(m.getPayload(), StandardCharsets.UTF_8)));
    ClusterSessionsTest.awaitFilterKnown(b, c, "wills/#");
    ClusterSessionsTest.awaitFilterKnown(doomed, c, "wills/#");
    client(doomed, "will-open", "wills/open");
    client(doomed, "will-closed", "wills/closed").disconnect();
    client(b, "will-elsewhere", "wills/elsewhere");

    doomed.killMemberFirst(name);
    nodes.remove(doomed);

    await().atMost(ClusterSessionsTest.WAIT).until(() -> received.contains("wills/open=gone"));
    // the other two would come in the same pass, if at all
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
        .until(() -> received.size() == 1);
    assertEquals(Set.of("wills/open=gone"), received);
  }

  /** A clean-session Paho client with a QoS 1 Will on {@code willTopic}, when not null. */
  private MqttClient client(ClusterBroker node, String clientId, String willTopic)
      throws Exception {
    MqttClient client = new MqttClient(node.uri(), clientId, new MemoryPersistence());
    clients.add(client);
    MqttConnectOptions options = ClusterSessionsTest.options(true, null);
    if (willTopic != null) {
      options.setWill(willTopic, "gone".getBytes(StandardCharsets.UTF_8), 1, false);
    }
    client.connect(options);
    return client;
  }
}
