package org.ferrymq.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.client.mqttv3.persist.MqttDefaultFilePersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Failover of a persistent subscriber's node: while QoS 1 and QoS 2 streams run from a publisher
 * on another node to a persistent subscriber on node B, B dies (its member terminated, as close
 * to {@code kill -9} as one JVM gets). Every message the publisher's node acknowledged reaches
 * the subscriber once it resumes on another node, and no QoS 2 message arrives twice
 * [MQTT-4.3.3-1]: the batches that were on their way to B go to the node that adopts B's
 * sessions, the filters of B point there until that node announces its own, and it holds what
 * it gets for them until the sessions are in place. The publisher is either on that adopting
 * node (the oldest) or on the third one. A second publisher starts after the kill, with nothing
 * on its way to B, and publishes while the cluster takes B's death in: none of its messages may
 * find no receiver (with the subscriber the only member of shared groups, they did).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterSubscriberFailoverTest {
  private static final String SECRET = "a-shared-secret-of-the-test-cluster";
  private static final String CLIENT = "subscriber-on-the-doomed-node";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final String name = "subfail-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<ClusterBroker> nodes = new ArrayList<>();
  private final List<AutoCloseable> clients = new ArrayList<>();
  @TempDir
  Path dir;

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable client : clients) {
      client.close();
    }
    nodes.forEach(ClusterBroker::close);
  }

  @ParameterizedTest(name = "publisher on node {0}")
  @ValueSource(ints = {0, 2})
  void killingTheSubscribersNodeLosesNoAcknowledgedMessageAndRepeatsNoQos2(int publishing)
      throws Exception {
    failOver(publishing, "subfail/q1/#", "subfail/q2/#");
  }

  /**
   * The subscriber's session is the only member of its shared groups [MQTT-4.8.2]: what is
   * published for the groups while B is dead goes to the node adopting the session, not to no
   * one, and reaches the subscriber when it resumes.
   */
  @ParameterizedTest(name = "publisher on node {0}")
  @ValueSource(ints = {0, 2})
  void aSharedGroupWhoseOnlyMemberWasOnTheKilledNodeLosesNoAcknowledgedMessage(int publishing)
      throws Exception {
    failOver(publishing, "$share/failover/subfail/q1/#", "$share/failover/subfail/q2/#");
  }

  private void failOver(int publishing, String qos1Filter, String qos2Filter) throws Exception {
    nodes.addAll(ClusterBroker.startCluster(name, SECRET, 3));
    ClusterBroker adopter = nodes.get(0);
    ClusterBroker doomed = nodes.get(1);
    ClusterBroker resumeOn = nodes.get(2);
    ClusterBroker publisherNode = nodes.get(publishing);
    BlockingQueue<String> arrived = new LinkedBlockingQueue<>();
    // its QoS 2 state in files: Paho's MemoryPersistence starts empty at every connect
    MqttClient subscriber = new MqttClient(doomed.uri(), CLIENT,
        new MqttDefaultFilePersistence(dir.toString()));
    clients.add(() -> {
      if (subscriber.isConnected()) {
        subscriber.disconnect();
      }
      subscriber.close();
    });
    subscriber.setCallback(ClusterSessionsTest.collecting(arrived));
    // one client, its own session state kept: it resumes on the next address when B is gone
    MqttConnectOptions options = ClusterSessionsTest.options(false, null);
    options.setServerURIs(new String[] {doomed.uri(), resumeOn.uri()});
    subscriber.connect(options);
    subscriber.subscribe(new String[] {qos1Filter, qos2Filter}, new int[] {1, 2});
    ClusterSessionsTest.awaitFilterKnown(publisherNode, doomed, qos1Filter);
    ClusterSessionsTest.awaitFilterKnown(publisherNode, doomed, qos2Filter);
    // fewer than the queue's bound (1000) in all: beyond it, an offline session drops its
    // oldest messages, as on one node
    Stream qos1 = new Stream(publisherNode, "subfail/q1/m", 1, 400);
    Stream qos2 = new Stream(publisherNode, "subfail/q2/m", 2, 200);

    // Exercise: B dies mid-stream; the streams go on through the failover, to their end
    await().atMost(WAIT).pollInterval(Duration.ofMillis(5))
        .until(() -> qos1.acknowledged() >= 150 && qos2.acknowledged() >= 60);
    doomed.kill(name);
    nodes.remove(doomed);
    int qos1AtKill = qos1.acknowledged();
    int qos2AtKill = qos2.acknowledged();
    // A publisher with nothing on its way to B publishes while the cluster takes B's death in,
    // each message acknowledged before the next: no window may route them to no one
    Set<String> probed = probeUntilAdopted(publisherNode, adopter, qos1Filter);
    await().atMost(WAIT).until(() -> qos1.acknowledged() == 400 && qos2.acknowledged() == 200);
    Set<String> acknowledged1 = new java.util.HashSet<>(qos1.stop());
    acknowledged1.addAll(probed);
    Set<String> acknowledged2 = qos2.stop();
    await().atMost(WAIT).until(() -> adopter.broker.clients().stream()
        .anyMatch(s -> s.clientId().equals(CLIENT)));
    await().atMost(WAIT).until(() -> {
      try {
        subscriber.connect(options);
        return true;
      } catch (org.eclipse.paho.client.mqttv3.MqttException refused) {
        return false;
      }
    });

    // Verify
    Map<String, Integer> arrivals = new HashMap<>();
    await().atMost(WAIT).untilAsserted(() -> {
      for (String m = arrived.poll(); m != null; m = arrived.poll()) {
        arrivals.merge(m, 1, Integer::sum);
      }
      assertEquals(Set.of(), missing(arrivals.keySet(), acknowledged1, acknowledged2),
          "acknowledged by the publisher's node, never delivered");
    });
    Map<String, Integer> twice = new TreeMap<>();
    arrivals.forEach((payload, n) -> {
      if (n > 1 && payload.startsWith("2-")) {
        twice.put(payload, n);
      }
    });
    assertEquals(Map.of(), twice, "[MQTT-4.3.3-1] no QoS 2 message arrives twice");
    assertTrue(qos1AtKill < 400 && qos2AtKill < 200, "B died mid-stream: " + qos1AtKill + ", "
        + qos2AtKill);
  }

  /**
   * Publishes QoS 1 messages one by one on the stream's topic level from a client of its own
   * until the adopter holds the session and the publishing node routes the filter to it.
   *
   * @return the payloads acknowledged
   */
  private Set<String> probeUntilAdopted(ClusterBroker at, ClusterBroker adopter, String filter)
      throws Exception {
    MqttClient probe = new MqttClient(at.uri(), "probe-" + UUID.randomUUID(),
        new MemoryPersistence());
    MqttConnectOptions options = ClusterSessionsTest.options(true, null);
    // Paho counts a publish in flight until its callback thread is done with the PUBACK, a
    // moment after publish() returned: a window of 1 would refuse the next one now and then
    options.setMaxInflight(100);
    probe.connect(options);
    Set<String> acknowledged = new java.util.HashSet<>();
    try {
      long deadline = System.nanoTime() + WAIT.toNanos();
      for (int i = 0, after = 0; after < 5 && System.nanoTime() < deadline; i++) {
        String payload = "1-p" + i;
        probe.publish("subfail/q1/probe", payload.getBytes(StandardCharsets.UTF_8), 1, false);
        acknowledged.add(payload);
        boolean adopted = adopter.broker.clients().stream()
            .anyMatch(s -> s.clientId().equals(CLIENT))
            && (at == adopter || at.node.knowsPeerFilter(adopter.id(), filter));
        after += adopted ? 1 : 0;
      }
    } finally {
      probe.disconnect();
      probe.close();
    }
    return acknowledged;
  }

  private static Set<String> missing(Set<String> arrived, Set<String> one, Set<String> two) {
    Set<String> missing = new java.util.TreeSet<>(one);
    missing.addAll(two);
    missing.removeAll(arrived);
    return missing;
  }

  /** A publisher that keeps a window of messages in flight and records the acknowledged ones. */
  private final class Stream implements Runnable {
    private static final int WINDOW = 20;
    private final MqttAsyncClient client;
    private final String topic;
    private final int qos;
    private final int count;
    private final Semaphore window = new Semaphore(WINDOW);
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private final java.util.concurrent.atomic.AtomicBoolean closed =
        new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean running = true;

    /** @param count how many messages it publishes */
    Stream(ClusterBroker node, String topic, int qos, int count) throws Exception {
      this.client = new MqttAsyncClient(node.uri(), "stream-" + qos + "-" + UUID.randomUUID(),
          new MemoryPersistence());
      this.topic = topic;
      this.qos = qos;
      this.count = count;
      MqttConnectOptions options = ClusterSessionsTest.options(true, null);
      options.setMaxInflight(WINDOW);
      client.connect(options).waitForCompletion(10_000);
      clients.add(0, this::stop);
      thread = new Thread(this, "stream-qos" + qos);
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void run() {
      try {
        for (int i = 0; running && i < count; i++) {
          if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            i--;
            continue;
          }
          String payload = qos + "-" + i;
          MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
          m.setQos(qos);
          client.publish(topic, m, null, new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
              acknowledged.add(payload);
              window.release();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable error) {
              running = false;
              window.release();
            }
          });
        }
      } catch (org.eclipse.paho.client.mqttv3.MqttException | InterruptedException e) {
        running = false;
      }
    }

    int acknowledged() {
      return acknowledged.size();
    }

    /** @return what was acknowledged, once the publishes in flight are settled */
    Set<String> stop() throws Exception {
      if (closed.compareAndSet(false, true)) {
        running = false;
        thread.join(5_000);
        window.tryAcquire(WINDOW, 20, TimeUnit.SECONDS);
        if (client.isConnected()) {
          client.disconnect().waitForCompletion(5_000);
        }
        client.close();
      }
      return Set.copyOf(acknowledged);
    }
  }
}
