package org.ferrymq.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.persistence.memory.TransientPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Split-brain protection of the sessions (docs/cluster.md, "Split brain"): three members, of
 * which the youngest is cut off ({@link NetworkSplit}). The side of two keeps its quorum and
 * adopts the cut-off member's sessions; the side of one adopts none of the other side's, takes
 * no session from the cluster for a CONNECT, and acknowledges no QoS 1/2 message for the other
 * side's sessions or its own persistent ones, delivering such a message to no one. Every member keeps a copy of every entry (two backups), so that the minority
 * sees every session the old code would have taken.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SplitBrainSessionsTest {
  private static final String SECRET = "a-shared-secret-of-the-split-test";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Map<String, String> EVERY_ENTRY_EVERYWHERE =
      Map.of("mqtt.cluster.backup-count", "2");
  /** Filters per subscriber in the rejoin tests: several, so they span several partitions. */
  private static final int FILTERS = 20;
  /** Long enough for the filter directory's replication between members on one machine. */
  private static final Duration LEARN = Duration.ofSeconds(10);
  private final String name = "split-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<ClusterBroker> nodes = new ArrayList<>();
  private final List<MqttClient> clients = new ArrayList<>();
  private final List<MqttAsyncClient> asyncClients = new ArrayList<>();
  private ClusterBroker a;
  private ClusterBroker b;
  private ClusterBroker c;

  @BeforeEach
  void startCluster() throws Exception {
    nodes.addAll(ClusterBroker.startCluster(name, SECRET, 3, EVERY_ENTRY_EVERYWHERE));
    a = nodes.get(0);
    b = nodes.get(1);
    c = nodes.get(2);
  }

  @AfterEach
  void stop() throws Exception {
    for (MqttAsyncClient client : asyncClients) {
      if (client.isConnected()) {
        client.disconnectForcibly(1_000);
      }
      client.close(true);
    }
    for (MqttClient client : clients) {
      if (client.isConnected()) {
        client.disconnectForcibly(1_000);
      }
      client.close();
    }
    nodes.forEach(ClusterBroker::close);
  }

  @Test
  void theMinorityAdoptsNoSessionOfTheOtherSideAndTheMajorityAdoptsTheMinoritys()
      throws Exception {
    offlineSession(b, "held-on-b", "held/b/#");
    offlineSession(c, "held-on-c", "held/c/#");
    awaitCopied("held-on-b", "held-on-c");

    // Exercise
    NetworkSplit.split(List.of(a, b), List.of(c));

    // Verify: the oldest member of the side with quorum adopts what the member it lost held
    await().atMost(WAIT).until(() -> holds(a, "held-on-c"));
    assertTrue(a.node.status().quorate());
    // the side without quorum takes nothing: B still holds its session on the other side
    assertFalse(c.node.status().quorate());
    await().during(Duration.ofSeconds(3)).atMost(WAIT).until(() -> !holds(c, "held-on-b"));
    assertEquals(0, c.node.status().sessionsRestored());
    assertTrue(holds(b, "held-on-b"));
  }

  @Test
  void aQos1PublishOnTheMinorityForASessionOnTheOtherSideIsNotAcknowledgedAsSuccess()
      throws Exception {
    offlineSession(b, "far", "far/#");
    BlockingQueue<String> nearby = new LinkedBlockingQueue<>();
    MqttClient near = paho(c, "near", true, nearby);
    near.subscribe("near/#", 1);
    ClusterSessionsTest.awaitFilterKnown(c, b, "far/#");
    awaitCopied("far");
    // connected before the split: the minority refuses a CONNECT that would ask the cluster
    TestClient v5 = TestClient.connect(c.broker, ProtocolVersion.MQTT_5, "pub-5", true);
    MqttClient v311 = paho(c, "pub-311", true, null);
    NetworkSplit.split(List.of(a, b), List.of(c));

    // Exercise: MQTT 5, for the session on the other side, then for one on this side
    v5.publish("far/1", "to the other side", QoS.AT_LEAST_ONCE, false);
    PubAck far = v5.expect(PubAck.class);
    v5.publish("near/1", "on this side", QoS.AT_LEAST_ONCE, false);
    PubAck nearAck = v5.expect(PubAck.class);

    // Verify: [MQTT-3.4.2-1] a PUBACK reason code; 0x80 tells the publisher it failed
    assertEquals(ReasonCode.UNSPECIFIED_ERROR, far.reasonCode());
    assertEquals(ReasonCode.SUCCESS, nearAck.reasonCode(), "this side's subscribers as usual");
    assertEquals("on this side", nearby.poll(20, TimeUnit.SECONDS));

    // Exercise and verify: MQTT 3.1.1 has no negative PUBACK; the connection is closed, and the
    // client sends the message again when it reconnects [MQTT-4.4.0-1]
    assertThrows(MqttException.class, () -> v311.publish("far/2",
        "to the other side".getBytes(StandardCharsets.UTF_8), 1, false));
    await().atMost(WAIT).until(() -> !v311.isConnected());
  }

  @Test
  void aConnectOnTheMinorityForASessionHeldOnTheOtherSideIsRefusedAsServerUnavailable()
      throws Exception {
    offlineSession(b, "held", "held/#");
    MqttClient here = paho(c, "here", false, null);
    here.subscribe("here/#", 1);
    awaitCopied("held", "here");
    NetworkSplit.split(List.of(a, b), List.of(c));
    await().atMost(WAIT).until(() -> !c.node.status().quorate());

    // Exercise: MQTT 3.1.1, then MQTT 5
    long start = System.nanoTime();
    MqttClient v311 = new MqttClient(c.uri(), "held", new MemoryPersistence());
    clients.add(v311);
    MqttException refused = assertThrows(MqttException.class,
        () -> v311.connect(ClusterSessionsTest.options(false, null)));
    ConnAck v5 = new TestClient(c.broker, ProtocolVersion.MQTT_5).connectWith(new Connect(
        ProtocolVersion.MQTT_5, "held", false, 60, null, null, null,
        Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 300).build()));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    // Verify: [MQTT-3.2.2-5] MQTT 3.1.1 return code 3, Server unavailable, then closed
    assertEquals(MqttException.REASON_CODE_BROKER_UNAVAILABLE, refused.getReasonCode());
    // [MQTT-3.2.2-6] session present 0 with a failure; [MQTT-3.2.2-7] closed after 0x88
    assertEquals(ReasonCode.SERVER_UNAVAILABLE, v5.reasonCode());
    assertFalse(v5.sessionPresent());
    assertTrue(v5.properties().getString(Property.REASON_STRING).contains("no quorum"),
        v5.properties().toString());
    assertTrue(millis < 5_000, "at once, not after mqtt.cluster.handover-timeout: " + millis);
    assertTrue(holds(b, "held"), "the session stays where it is, on the other side");
    // a new client id too: this side cannot tell it from a session on the other side
    MqttClient newcomer = new MqttClient(c.uri(), "newcomer", new MemoryPersistence());
    clients.add(newcomer);
    assertEquals(MqttException.REASON_CODE_BROKER_UNAVAILABLE, assertThrows(MqttException.class,
        () -> newcomer.connect(ClusterSessionsTest.options(true, null))).getReasonCode());
    // the session this node holds itself resumes here [MQTT-3.2.2-2]
    here.disconnect();
    MqttClient again = new MqttClient(c.uri(), "here", new MemoryPersistence());
    clients.add(again);
    assertTrue(again.connectWithResult(ClusterSessionsTest.options(false, null))
        .getSessionPresent());
  }

  @Test
  void afterTheSidesMergeEveryMessageTheMajorityAcknowledgedReachesItsSubscriber()
      throws Exception {
    offlineSession(c, "healed", "heal/#");
    awaitCopied("healed");
    TestClient onMinority = TestClient.connect(c.broker, ProtocolVersion.MQTT_5, "minority",
        true);
    NetworkSplit.split(List.of(a, b), List.of(c));
    await().atMost(WAIT).until(() -> holds(a, "healed"));

    // the majority acknowledges QoS 1 messages for the session it adopted
    MqttClient publisher = paho(b, "majority", true, null);
    Set<String> acknowledged = new TreeSet<>();
    for (int i = 0; i < 20; i++) {
      String payload = "m" + i;
      publisher.publish("heal/" + i, payload.getBytes(StandardCharsets.UTF_8), 1, false);
      acknowledged.add(payload);
    }
    // the minority's node still has its own copy of the session, which the merge drops: it
    // refuses its side's QoS 1 messages for it, as not acknowledged
    for (int i = 0; i < 3; i++) {
      onMinority.publish("heal/minority", "minority-" + i, QoS.AT_LEAST_ONCE, false);
      assertEquals(ReasonCode.UNSPECIFIED_ERROR, onMinority.expect(PubAck.class).reasonCode());
    }

    // Exercise: the sides merge; the node merged back reports it, and restarts
    ClusterBroker restarted = mergeAndRestartMinority("healed");

    // Verify: the client resumes the majority's session there, with every message it took
    BlockingQueue<String> arrived = new LinkedBlockingQueue<>();
    MqttClient resumed = new MqttClient(restarted.uri(), "healed", new MemoryPersistence());
    clients.add(resumed);
    resumed.setCallback(ClusterSessionsTest.collecting(arrived));
    assertTrue(resumed.connectWithResult(ClusterSessionsTest.options(false, null))
        .getSessionPresent(), "[MQTT-3.2.2-2] the session the majority adopted");
    Set<String> received = new TreeSet<>();
    while (!received.containsAll(acknowledged)) {
      String m = arrived.poll(20, TimeUnit.SECONDS);
      assertTrue(m != null, "every acknowledged message arrives: " + received);
      received.add(m);
    }
  }

  @Test
  void aQos2PublishOnTheMinorityForAPersistentSessionThereIsRefusedAndArrivesOnceAfterTheMerge()
      throws Exception {
    offlineSession(c, "keeper", "keep/#");
    BlockingQueue<String> onC = new LinkedBlockingQueue<>();
    paho(c, "keeper", false, onC);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicInteger lost = new AtomicInteger();
    MqttAsyncClient publisher = publisher(c, "pub-keep", false, lost);
    awaitCopied("keeper", "pub-keep");
    NetworkSplit.split(List.of(a, b), List.of(c));
    await().atMost(WAIT).until(() -> !c.node.status().quorate());

    // Exercise: QoS 2 for a persistent session of the minority's own node
    ForwardTimeoutTest.publish(publisher, "keep/1", "kept", acknowledged);

    // Verify: no PUBREC, so not owned [MQTT-4.3.3-2]: MQTT 3.1.1 has no negative one, the
    // connection closes; and the subscriber on this node got nothing
    await().atMost(WAIT).until(() -> lost.get() > 0);
    assertEquals(Set.of(), acknowledged);
    assertTrue(onC.isEmpty(), "delivered to no one: " + onC);

    // Exercise: the sides merge, C restarts; the publisher reconnects there, resending what
    // was not acknowledged [MQTT-4.4.0-1], while the session the majority adopted is offline
    // on A: the restarted node routes the message to A's filter, announced before it joined
    ClusterBroker restarted = mergeAndRestartMinority("keeper");
    MqttConnectOptions toRestarted = ClusterSessionsTest.options(false, null);
    toRestarted.setServerURIs(new String[] {restarted.uri()});
    publisher.connect(toRestarted).waitForCompletion(10_000);
    await().atMost(WAIT).until(() -> acknowledged.contains("kept"));
    assertEquals(a.id(), a.sessionHolder("keeper"), "queued for the session on A");

    // Verify: the subscriber resumes the session on the restarted node [MQTT-3.2.2-2], and
    // gets the message there exactly once [MQTT-4.3.3-2]
    BlockingQueue<String> resumed = new LinkedBlockingQueue<>();
    MqttClient again = new MqttClient(restarted.uri(), "keeper", new MemoryPersistence());
    clients.add(again);
    again.setCallback(ClusterSessionsTest.collecting(resumed));
    assertTrue(again.connectWithResult(ClusterSessionsTest.options(false, null))
        .getSessionPresent(), "[MQTT-3.2.2-2] the session the majority adopted");
    assertEquals("kept", resumed.poll(20, TimeUnit.SECONDS));
    await().during(Duration.ofSeconds(2)).atMost(WAIT).until(resumed::isEmpty);
  }

  @Test
  void aQos2PublishOnTheMinorityForThisSideAndAnUnadoptedMemberReachesNoOneWhileRefused()
      throws Exception {
    offlineSession(b, "far-both", "both/#");
    BlockingQueue<String> nearby = new LinkedBlockingQueue<>();
    MqttClient near = paho(c, "near-both", true, nearby);
    near.subscribe("both/#", 2);
    ClusterSessionsTest.awaitFilterKnown(c, b, "both/#");
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicInteger lost = new AtomicInteger();
    MqttAsyncClient publisher = publisher(c, "pub-both", true, lost);
    awaitCopied("far-both", "pub-both");
    NetworkSplit.split(List.of(a, b), List.of(c));
    await().atMost(WAIT).until(() -> !c.node.status().quorate());

    // Exercise: the publisher resends after each refusal, on its session there [MQTT-4.4.0-1]
    ForwardTimeoutTest.publish(publisher, "both/1", "to both sides", acknowledged);
    await().atMost(WAIT).until(() -> lost.get() >= 3);

    // Verify: never acknowledged, and the subscriber on this side got it no time at all, so no
    // resend can bring it twice [MQTT-4.3.3-2]
    assertEquals(Set.of(), acknowledged);
    assertTrue(nearby.isEmpty(), "delivered to no one: " + nearby);
    assertTrue(near.isConnected(), "a clean subscriber of this side stays connected");
  }

  @Test
  void aQos2PublishOnTheMinorityForCleanSessionsOnlyIsDeliveredAndAcknowledged()
      throws Exception {
    BlockingQueue<String> kept = new LinkedBlockingQueue<>();
    MqttClient keeper = paho(c, "keeper-0", false, kept);
    keeper.subscribe("kept/#", 2);
    BlockingQueue<String> nearby = new LinkedBlockingQueue<>();
    MqttClient near = paho(c, "near-clean", true, nearby);
    near.subscribe("clean/#", 2);
    MqttClient v311 = paho(c, "pub-clean", true, null);
    awaitCopied("keeper-0");
    NetworkSplit.split(List.of(a, b), List.of(c));
    await().atMost(WAIT).until(() -> !c.node.status().quorate());

    // Exercise: QoS 2 for the clean subscriber only; QoS 0 for the persistent one
    v311.publish("clean/1", "clean".getBytes(StandardCharsets.UTF_8), 2, false);
    v311.publish("kept/1", "at most once".getBytes(StandardCharsets.UTF_8), 0, false);

    // Verify: the synchronous publish returned, so PUBREC and PUBCOMP came [MQTT-4.3.3-2];
    // delivered once; QoS 0 as before
    assertEquals("clean", nearby.poll(20, TimeUnit.SECONDS));
    assertEquals("at most once", kept.poll(20, TimeUnit.SECONDS));
    await().during(Duration.ofSeconds(2)).atMost(WAIT).until(nearby::isEmpty);
    assertTrue(v311.isConnected());
  }

  @Test
  void aSideThatGetsItsQuorumBackByJoinsAdoptsThenWhatItsLostMembersHeld() throws Exception {
    offlineSession(c, "lost", "lost/#");
    awaitCopied("lost");
    int port = b.node.port();
    List<Integer> listed = List.of(a.node.port(), port, c.node.port());
    nodes.remove(b);
    b.kill(name);
    await().atMost(WAIT).until(() -> a.node.memberCount() == 2);
    nodes.remove(c);
    c.kill(name);
    await().atMost(WAIT).until(() -> a.node.memberCount() == 1);
    // alone, A cannot tell C's death from a split: it adopts nothing
    await().during(Duration.ofSeconds(3)).atMost(WAIT).until(() -> !holds(a, "lost"));

    // Exercise: a member restarts and joins A
    nodes.add(ClusterBroker.start(name, SECRET, port, listed, EVERY_ENTRY_EVERYWHERE,
        new TransientPersistence()));

    // Verify: with its quorum back, A adopts the session C held
    await().atMost(WAIT).until(() -> holds(a, "lost"));
    assertTrue(a.node.status().quorate());
  }

  @Test
  void aMemberThatRestartsRoutesToThePeersSubscribersAndTheyToItsOwn() throws Exception {
    BlockingQueue<String> onA = subscribed(a, "sub-a", "crash/a/");
    BlockingQueue<String> onB = subscribed(b, "sub-b", "crash/b/");
    nodes.remove(c);
    c.kill(name);
    await().atMost(WAIT).until(() -> a.node.memberCount() == 2);

    // Exercise: C comes back on its port, a new member
    ClusterBroker restarted = restartC();

    // Verify: "a client connected to any node receives every message published on any node
    // that matches its subscriptions", the filters announced before C came included
    assertRoutes(restarted, a, "crash/a/", onA);
    assertRoutes(restarted, b, "crash/b/", onB);
    BlockingQueue<String> onRestarted = subscribed(restarted, "sub-c", "crash/c/");
    assertRoutes(a, restarted, "crash/c/", onRestarted);
  }

  @Test
  void theMemberMergedBackRoutesToTheMajoritysSubscribersOnceItRestarts() throws Exception {
    BlockingQueue<String> onA = subscribed(a, "sub-a", "merge/a/");
    NetworkSplit.split(List.of(a, b), List.of(c));
    // a subscriber the majority got during the split
    BlockingQueue<String> onB = subscribed(b, "sub-b", "merge/b/");

    // Exercise: the sides merge, the merged node reports it and restarts
    NetworkSplit.heal(c, a, 3);
    await().atMost(WAIT).until(() -> c.node.status().mergedAfterSplit());
    nodes.remove(c);
    c.close();
    ClusterBroker restarted = restartC();

    // Verify: it routes to both, and they to it
    assertRoutes(restarted, a, "merge/a/", onA);
    assertRoutes(restarted, b, "merge/b/", onB);
    BlockingQueue<String> onRestarted = subscribed(restarted, "sub-c", "merge/c/");
    assertRoutes(b, restarted, "merge/c/", onRestarted);
  }

  /**
   * Merges C's side back into the majority's; C reports it, and restarts on its port.
   *
   * @param heldByA a session the majority adopted, whose directory entry must stay with A
   * @return the restarted node, a member of the cluster
   */
  private ClusterBroker mergeAndRestartMinority(String heldByA) throws Exception {
    String minority = c.id();
    NetworkSplit.heal(c, a, 3);
    await().atMost(WAIT).until(() -> c.node.status().mergedAfterSplit());
    assertEquals(a.id(), a.sessionHolder(heldByA), "the majority's directory entry stays");
    // the merge's writes follow the merge: nothing the minority wrote comes back meanwhile
    await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> !copiedBy(minority));
    nodes.remove(c);
    c.close();
    return restartC();
  }

  /** Starts C again on its port, a new member, and waits until A counts three members. */
  private ClusterBroker restartC() throws Exception {
    int port = c.node.port();
    List<Integer> listed = List.of(a.node.port(), b.node.port(), port);
    ClusterBroker restarted = ClusterBroker.start(name, SECRET, port, listed,
        EVERY_ENTRY_EVERYWHERE, new TransientPersistence());
    nodes.add(restarted);
    await().atMost(WAIT).until(() -> a.node.memberCount() == 3);
    return restarted;
  }

  /**
   * A clean Paho subscriber on the node with {@link #FILTERS} filters under the prefix, known
   * to the members of the node's side.
   */
  private BlockingQueue<String> subscribed(ClusterBroker node, String clientId, String prefix)
      throws MqttException {
    BlockingQueue<String> arrived = new LinkedBlockingQueue<>();
    MqttClient client = paho(node, clientId, true, arrived);
    for (int i = 0; i < FILTERS; i++) {
      client.subscribe(prefix + i + "/#", 1);
    }
    for (ClusterBroker other : nodes) {
      if (other != node && ClusterNode.member(node.member(), other.id()) != null) {
        for (int i = 0; i < FILTERS; i++) {
          ClusterSessionsTest.awaitFilterKnown(other, node, prefix + i + "/#");
        }
      }
    }
    return arrived;
  }

  /**
   * Publishes one QoS 1 message per filter of {@link #subscribed} from {@code from} and expects
   * each at the subscriber on {@code to}; the filters must be known at {@code from} within
   * {@link #LEARN}.
   */
  private void assertRoutes(ClusterBroker from, ClusterBroker to, String prefix,
      BlockingQueue<String> arrived) throws Exception {
    List<String> unknown = new ArrayList<>();
    long deadline = System.nanoTime() + LEARN.toNanos();
    for (int i = 0; i < FILTERS; i++) {
      String filter = prefix + i + "/#";
      while (!from.node.knowsPeerFilter(to.id(), filter) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      if (!from.node.knowsPeerFilter(to.id(), filter)) {
        unknown.add(filter);
      }
    }
    MqttClient publisher = paho(from, "pub-" + UUID.randomUUID(), true, null);
    Set<String> sent = new TreeSet<>();
    for (int i = 0; i < FILTERS; i++) {
      String payload = prefix + i;
      publisher.publish(prefix + i + "/x", payload.getBytes(StandardCharsets.UTF_8), 1, false);
      sent.add(payload);
    }
    Set<String> received = new TreeSet<>();
    String m;
    while (received.size() < sent.size() && (m = arrived.poll(5, TimeUnit.SECONDS)) != null) {
      received.add(m);
    }
    assertEquals(List.of(), unknown, "filters of " + to.id() + " that " + from.id()
        + " did not learn within " + LEARN);
    assertEquals(sent, received);
  }

  /** A persistent session left offline on the node, with one QoS 1 subscription. */
  private void offlineSession(ClusterBroker node, String clientId, String filter)
      throws MqttException {
    MqttClient client = paho(node, clientId, false, null);
    client.subscribe(filter, 1);
    client.disconnect();
  }

  private MqttClient paho(ClusterBroker node, String clientId, boolean clean,
      BlockingQueue<String> into) throws MqttException {
    MqttClient client = new MqttClient(node.uri(), clientId, new MemoryPersistence());
    clients.add(client);
    if (into != null) {
      client.setCallback(ClusterSessionsTest.collecting(into));
    }
    client.connect(ClusterSessionsTest.options(clean, null));
    return client;
  }

  /**
   * An MQTT 3.1.1 Paho publisher with session (clean session 0) that counts its lost
   * connections; it resends what is unacknowledged when it connects again, by itself if asked.
   */
  private MqttAsyncClient publisher(ClusterBroker node, String clientId, boolean reconnects,
      AtomicInteger lost) throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(node.uri(), clientId, new MemoryPersistence());
    asyncClients.add(client);
    client.setCallback(ForwardTimeoutTest.countingLost(lost));
    MqttConnectOptions options = ClusterSessionsTest.options(false, null);
    options.setAutomaticReconnect(reconnects);
    options.setMaxReconnectDelay(1_000);
    client.connect(options).waitForCompletion(10_000);
    return client;
  }

  /** Waits until the sessions' copies are in the cluster, on every member (two backups). */
  private void awaitCopied(String... clientIds) {
    Map<String, byte[]> copies = a.member().getMap(ClusterNode.SESSION_COPIES);
    await().atMost(WAIT).until(() -> copies.keySet().containsAll(List.of(clientIds)));
  }

  private static boolean holds(ClusterBroker node, String clientId) {
    return node.broker.clients().stream().anyMatch(s -> s.clientId().equals(clientId));
  }

  /** @return whether a session or queue copy in the majority's maps was written by the node */
  private boolean copiedBy(String node) {
    Map<String, byte[]> sessions = a.member().getMap(ClusterNode.SESSION_COPIES);
    Map<String, byte[]> queues = a.member().getMap(ClusterNode.QUEUE_COPIES);
    return sessions.values().stream().anyMatch(v -> SessionBackups.writer(v).equals(node))
        || queues.values().stream().anyMatch(v -> SessionBackups.writer(v).equals(node));
  }
}
