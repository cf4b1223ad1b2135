package org.ferrymq.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.mvstore.MvStorePersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover: the persistent sessions of a node that dies (its member terminated, as close to
 * {@code kill -9} as one JVM gets) are adopted, with their queued QoS 1/2 messages, from their
 * backup copies by the oldest survivor, which queues what is published for them meanwhile, and
 * move on to the node their clients reconnect to; and a node that comes back with a local copy
 * of a session the cluster has since moved does not resurrect it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterFailoverTest {
  private static final String SECRET = "a-shared-secret-of-the-test-cluster";
  private final String name = "failover-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<ClusterBroker> nodes = new ArrayList<>();
  private final List<MqttClient> clients = new ArrayList<>();
  @TempDir
  Path dir;

  @AfterEach
  void stop() throws Exception {
    for (MqttClient client : clients) {
      if (client.isConnected()) {
        client.disconnect();
      }
      client.close();
    }
    nodes.forEach(ClusterBroker::close);
  }

  @Test
  void theSessionsOfAKilledNodeResumeElsewhereWithTheirQueuedMessages() throws Exception {
    nodes.addAll(ClusterBroker.startCluster(name, SECRET, 3));
    ClusterBroker doomed = nodes.get(0);
    ClusterBroker b = nodes.get(1);
    ClusterBroker c = nodes.get(2);
    MqttClient offline = client(doomed, "failover-1", false, null);
    offline.subscribe("fail/#", 2);
    offline.disconnect();
    ClusterSessionsTest.awaitFilterKnown(c, doomed, "fail/#");
    MqttClient publisher = client(c, "pub-fail", true, null);
    Set<String> acknowledged = new TreeSet<>();
    for (int i = 0; i < 8; i++) {
      // each returns once acknowledged: queued on the doomed node and copied to the cluster
      publisher.publish("fail/" + i, ("f" + i).getBytes(StandardCharsets.UTF_8), 1 + i % 2,
          false);
      acknowledged.add("f" + i);
    }

    // Exercise: the node dies; messages are published while the client is still away
    doomed.kill(name);
    nodes.remove(doomed);
    await().atMost(ClusterSessionsTest.WAIT).until(() -> b.node.memberCount() == 2);
    // the oldest survivor adopts the orphan at once, so what follows is queued for it
    await().atMost(ClusterSessionsTest.WAIT).until(() -> b.broker.clients().stream()
        .anyMatch(s -> s.clientId().equals("failover-1")));
    ClusterSessionsTest.awaitFilterKnown(c, b, "fail/#");
    for (int i = 0; i < 2; i++) {
      publisher.publish("fail/later/" + i, ("later" + i).getBytes(StandardCharsets.UTF_8), 1,
          false);
      acknowledged.add("later" + i);
    }
    BlockingQueue<String> arrived = new LinkedBlockingQueue<>();
    MqttClient resumed = new MqttClient(c.uri(), "failover-1", new MemoryPersistence());
    clients.add(resumed);
    resumed.setCallback(ClusterSessionsTest.collecting(arrived));
    boolean present = resumed.connectWithResult(ClusterSessionsTest.options(false, null))
        .getSessionPresent();

    // Verify
    assertTrue(present, "[MQTT-3.2.2-2] the session restored from its copy is present");
    Set<String> received = new TreeSet<>();
    for (int i = 0; i < acknowledged.size(); i++) {
      String m = arrived.poll(20, TimeUnit.SECONDS);
      assertTrue(m != null && received.add(m), "each acknowledged message once: " + received
          + " then " + m);
    }
    assertEquals(acknowledged, received, "no acknowledged QoS 1/2 message is lost");
    await().atMost(ClusterSessionsTest.WAIT).until(() -> b.broker.clients().stream()
        .noneMatch(s -> s.clientId().equals("failover-1")));
    publisher.publish("fail/after", "after".getBytes(StandardCharsets.UTF_8), 1, false);
    assertEquals("after", arrived.poll(20, TimeUnit.SECONDS), "its subscription lives on C");
  }

  @Test
  void aNodeThatComesBackDoesNotResurrectASessionThatMovedMeanwhile() throws Exception {
    List<Integer> ports = List.of(ClusterBroker.freePort(), ClusterBroker.freePort(),
        ClusterBroker.freePort());
    ClusterBroker b = ClusterBroker.start(name, SECRET, ports.get(1), ports);
    nodes.add(b);
    // a third member: B and it keep the quorum (two of three) while D is away
    nodes.add(ClusterBroker.start(name, SECRET, ports.get(2), ports));
    ClusterBroker d = ClusterBroker.start(name, SECRET, ports.get(0), ports,
        MvStorePersistence.open(dir, PersistenceMode.PERSISTENT));
    await().atMost(ClusterSessionsTest.WAIT).until(() -> b.node.memberCount() == 3);
    MqttClient onD = client(d, "comes-back", false, null);
    onD.subscribe("back/#", 1);
    onD.disconnect();
    d.close();
    // B, the survivor, adopts the session from its copy and holds it from now on
    await().atMost(ClusterSessionsTest.WAIT).until(() -> b.broker.clients().stream()
        .anyMatch(s -> s.clientId().equals("comes-back")));
    MqttClient onB = new MqttClient(b.uri(), "comes-back", new MemoryPersistence());
    clients.add(onB);
    assertTrue(onB.connectWithResult(ClusterSessionsTest.options(false, null))
        .getSessionPresent(), "[MQTT-3.2.2-2] adopted with its subscription");
    onB.disconnect();

    // Exercise: D restarts on its store, which still has the session
    ClusterBroker restarted = ClusterBroker.start(name, SECRET, ports.get(0), ports,
        MvStorePersistence.open(dir, PersistenceMode.PERSISTENT));
    nodes.add(restarted);

    // Verify
    assertTrue(restarted.broker.clients().stream()
        .noneMatch(s -> s.clientId().equals("comes-back")), "the stale copy is not recovered");
    MqttClient again = new MqttClient(restarted.uri(), "comes-back", new MemoryPersistence());
    clients.add(again);
    assertTrue(again.connectWithResult(ClusterSessionsTest.options(false, null))
        .getSessionPresent(), "[MQTT-3.2.2-2] the session comes from B, where it lives");
  }

  private MqttClient client(ClusterBroker node, String clientId, boolean clean, String user)
      throws Exception {
    MqttClient client = new MqttClient(node.uri(), clientId, new MemoryPersistence());
    clients.add(client);
    client.connect(ClusterSessionsTest.options(clean, user));
    return client;
  }
}
