package org.ferrymq.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
 *
 * <p>The same holds when B stops gracefully, the everyday step of a rolling restart ({@link
 * #aGracefulStopOfTheSubscribersNodeLosesNoAcknowledgedMessageAndRepeatsNoQos2}).
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
    ResumingSubscriber subscriber = subscriber(doomed, resumeOn, publisherNode, qos1Filter,
        qos2Filter);
    // fewer than the queue's bound (1000) in all: beyond it, an offline session drops its
    // oldest messages, as on one node
    PublisherStream qos1 = new PublisherStream(publisherNode, "subfail/q1/m", 1, 400, clients);
    PublisherStream qos2 = new PublisherStream(publisherNode, "subfail/q2/m", 2, 200, clients);

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
    Set<String> acknowledged = new java.util.TreeSet<>(qos1.stop());
    acknowledged.addAll(probed);
    acknowledged.addAll(qos2.stop());
    resume(subscriber, adopter);

    // Verify
    subscriber.assertReceivedOnce(acknowledged, WAIT, "[MQTT-4.3.2-2] [MQTT-4.3.3-2]",
        "[MQTT-4.3.3-1]");
    assertTrue(qos1AtKill < 400 && qos2AtKill < 200, "B died mid-stream: " + qos1AtKill + ", "
        + qos2AtKill);
  }

  /**
   * A graceful stop of the subscriber's node B: it stops the normal way (listeners, then the
   * broker, then its member leaves the cluster) while publishers on another node stream QoS 1
   * and QoS 2 messages to the persistent session on B, connected or offline. Between B's broker
   * stopping and its member leaving, B refuses what is forwarded to it; before, the publishers'
   * node counted that as taken by no one and acknowledged it, and the session, adopted from its
   * copy once B left, never got it. Every acknowledged message must reach the subscriber when
   * it resumes on another node: a QoS 1 message at least once, its PUBACK having accepted
   * ownership [MQTT-4.3.2-2], a QoS 2 message exactly once [MQTT-4.3.3-2], the session and its
   * messages kept across the reconnection [MQTT-3.1.2-4], [MQTT-4.5.0-1].
   *
   * @param online whether the subscriber is connected to B when B stops
   * @param publishing the node the publishers are on: 0 adopts B's sessions, 2 does not
   */
  @ParameterizedTest(name = "subscriber online {0}, publishers on node {1}")
  @CsvSource({"true, 0", "false, 2"})
  void aGracefulStopOfTheSubscribersNodeLosesNoAcknowledgedMessageAndRepeatsNoQos2(
      boolean online, int publishing) throws Exception {
    nodes.addAll(ClusterBroker.startCluster(name, SECRET, 3));
    ClusterBroker adopter = nodes.get(0);
    ClusterBroker stopping = nodes.get(1);
    ClusterBroker publisherNode = nodes.get(publishing);
    ResumingSubscriber subscriber = subscriber(stopping, nodes.get(2), publisherNode,
        "subfail/q1/#", "subfail/q2/#");
    if (!online) {
      subscriber.disconnect();
    }
    // fewer than the queue's bound (1000) in all, as above
    PublisherStream qos1 = new PublisherStream(publisherNode, "subfail/q1/m", 1, 600, clients);
    PublisherStream qos2 = new PublisherStream(publisherNode, "subfail/q2/m", 2, 300, clients);

    // Exercise: B stops gracefully mid-stream; the streams go on to their end
    await().atMost(WAIT).pollInterval(Duration.ofMillis(5))
        .until(() -> qos1.acknowledged() >= 60 && qos2.acknowledged() >= 30);
    int qos1AtStop = qos1.acknowledged();
    int qos2AtStop = qos2.acknowledged();
    nodes.remove(stopping);
    stopping.close();
    await().atMost(WAIT).until(() -> !qos1.publishing() && !qos2.publishing());
    Set<String> acknowledged = new java.util.TreeSet<>(qos1.stop());
    acknowledged.addAll(qos2.stop());
    resume(subscriber, adopter);

    // Verify
    subscriber.assertReceivedOnce(acknowledged, WAIT, "[MQTT-4.3.2-2] [MQTT-4.3.3-2]",
        "[MQTT-4.3.3-2]");
    assertTrue(qos1AtStop < 600 && qos2AtStop < 300, "B stopped mid-stream: " + qos1AtStop
        + ", " + qos2AtStop);
  }

  /**
   * @return the persistent subscriber on node {@code on}, subscribed to both filters at QoS 1
   *     and 2 once {@code publishers} knows them; it resumes on {@code then} when {@code on} is
   *     gone
   */
  private ResumingSubscriber subscriber(ClusterBroker on, ClusterBroker then,
      ClusterBroker publishers, String qos1Filter, String qos2Filter) throws Exception {
    ResumingSubscriber subscriber = new ResumingSubscriber(CLIENT, dir, on, then);
    clients.add(subscriber);
    subscriber.subscribe(new String[] {qos1Filter, qos2Filter}, new int[] {1, 2});
    ClusterSessionsTest.awaitFilterKnown(publishers, on, qos1Filter);
    ClusterSessionsTest.awaitFilterKnown(publishers, on, qos2Filter);
    return subscriber;
  }

  /** Connects the subscriber again once the adopter holds its session. */
  private static void resume(ResumingSubscriber subscriber, ClusterBroker adopter) {
    await().atMost(WAIT).until(() -> adopter.broker.clients().stream()
        .anyMatch(s -> s.clientId().equals(CLIENT)));
    subscriber.resume(WAIT);
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
}
