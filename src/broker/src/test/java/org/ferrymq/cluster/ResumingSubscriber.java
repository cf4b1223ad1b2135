package org.ferrymq.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MqttDefaultFilePersistence;

/**
 * A persistent Paho 3.1.1 subscriber (clean session 0) for a node that goes away: one client
 * that keeps its QoS 2 state in files across its connections (Paho's {@code MemoryPersistence}
 * starts empty at every connect), given its node and the node it resumes on, and counting what
 * arrives per payload ({@code <qos>-<n>}).
 */
final class ResumingSubscriber implements AutoCloseable {
  private final MqttClient client;
  private final MqttConnectOptions options = ClusterSessionsTest.options(false, null);
  private final BlockingQueue<String> arrived = new LinkedBlockingQueue<>();
  private final Map<String, Integer> arrivals = new HashMap<>();

  /** Connects to {@code first}; a later connection tries {@code first}, then {@code then}. */
  ResumingSubscriber(String clientId, Path dir, ClusterBroker first, ClusterBroker then)
      throws MqttException {
    client = new MqttClient(first.uri(), clientId, new MqttDefaultFilePersistence(dir.toString()));
    client.setCallback(ClusterSessionsTest.collecting(arrived));
    options.setServerURIs(new String[] {first.uri(), then.uri()});
    client.connect(options);
  }

  void subscribe(String[] filters, int[] qos) throws MqttException {
    client.subscribe(filters, qos);
  }

  void disconnect() throws MqttException {
    client.disconnect();
  }

  /** Connects again, retrying while the cluster refuses it (its session is being adopted). */
  void resume(Duration wait) {
    await().atMost(wait).until(() -> {
      try {
        client.connect(options);
        return true;
      } catch (MqttException refused) {
        return false;
      }
    });
  }

  /**
   * Waits until every acknowledged payload has arrived, then checks that no QoS 2 payload
   * arrived twice.
   *
   * @param delivered the normative statements the first check stands for, for its message
   * @param once those the second check stands for
   */
  void assertReceivedOnce(Set<String> acknowledged, Duration wait, String delivered,
      String once) {
    await().atMost(wait).untilAsserted(() -> {
      for (String m = arrived.poll(); m != null; m = arrived.poll()) {
        arrivals.merge(m, 1, Integer::sum);
      }
      Set<String> missing = new TreeSet<>(acknowledged);
      missing.removeAll(arrivals.keySet());
      assertEquals(Set.of(), missing, delivered + " acknowledged by the publishers' node, "
          + "never delivered");
    });
    Map<String, Integer> twice = new TreeMap<>();
    arrivals.forEach((payload, n) -> {
      if (n > 1 && payload.startsWith("2-")) {
        twice.put(payload, n);
      }
    });
    assertEquals(Map.of(), twice, once + " no QoS 2 message arrives twice");
  }

  @Override
  public void close() throws MqttException {
    if (client.isConnected()) {
      client.disconnect();
    }
    client.close();
  }
}
