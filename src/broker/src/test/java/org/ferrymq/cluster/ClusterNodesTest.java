package org.ferrymq.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.packet.Subscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three brokers, each with its embedded Hazelcast member on loopback, act as one: a message
 * published on one node reaches the subscribers of the others with the usual QoS semantics,
 * only nodes with a matching subscriber receive it, a publisher's acknowledgement waits for the
 * remote sessions (and so is held back by a congested one), retained messages are seen from
 * every node, and a member without the shared secret is refused. Clients are Paho (MQTT 3.1.1
 * over TCP) and the project's {@link TestClient}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterNodesTest {
  private static final String NAME = "test-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String SECRET = "a-shared-secret-of-the-test-cluster";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final List<ClusterBroker> NODES = new ArrayList<>();
  private static ClusterBroker a;
  private static ClusterBroker b;
  private static ClusterBroker c;
  private final List<MqttClient> clients = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    List<Integer> ports = List.of(ClusterBroker.freePort(), ClusterBroker.freePort(),
        ClusterBroker.freePort());
    // a small window and queue per subscriber, so that one test can congest a session; $SYS
    // every second, so that the cluster totals are soon there
    for (int port : ports) {
      NODES.add(ClusterBroker.start(NAME, SECRET, port, ports, "mqtt.max-inflight", "2",
          "mqtt.queue.max-messages", "4", "mqtt.sys-interval", "1"));
    }
    a = NODES.get(0);
    b = NODES.get(1);
    c = NODES.get(2);
    await().atMost(WAIT).until(() -> NODES.stream().allMatch(n -> n.node.memberCount() == 3));
  }

  @AfterAll
  static void stopCluster() {
    NODES.forEach(ClusterBroker::close);
  }

  @org.junit.jupiter.api.AfterEach
  void disconnectClients() throws MqttException {
    for (MqttClient client : clients) {
      if (client.isConnected()) {
        client.disconnect();
      }
      client.close();
    }
  }

  @Test
  void aMessagePublishedOnOneNodeReachesSubscribersOnTheOthersAtEachQos() throws Exception {
    BlockingQueue<MqttMessage> onB = new LinkedBlockingQueue<>();
    BlockingQueue<MqttMessage> onC = new LinkedBlockingQueue<>();
    subscribe(b, "q/#", 2, onB);
    subscribe(c, "q/#", 1, onC);
    awaitFilterKnown(a, b, "q/#");
    awaitFilterKnown(a, c, "q/#");
    MqttClient publisher = paho(a, "pub-q");

    // Exercise
    for (int qos = 0; qos <= 2; qos++) {
      publisher.publish("q/" + qos, ("m" + qos).getBytes(StandardCharsets.UTF_8), qos, false);
    }

    // Verify: [MQTT-3.8.4-6] each delivered at the lower of the published and granted QoS
    for (int qos = 0; qos <= 2; qos++) {
      MqttMessage m = onB.poll(20, TimeUnit.SECONDS);
      assertEquals("m" + qos, new String(m.getPayload(), StandardCharsets.UTF_8));
      assertEquals(qos, m.getQos(), "QoS on node B, granted 2");
      MqttMessage n = onC.poll(20, TimeUnit.SECONDS);
      assertEquals("m" + qos, new String(n.getPayload(), StandardCharsets.UTF_8));
      assertEquals(Math.min(qos, 1), n.getQos(), "QoS on node C, granted 1");
    }
  }

  @Test
  void subscriptionOptionsApplyOnTheReceivingNodeAndPropertiesCrossUnchanged() {
    TestClient keeps = TestClient.connect(b.broker, ProtocolVersion.MQTT_5, "rap-1", true);
    keeps.subscribe(Properties.EMPTY, new Subscription("opt/t", QoS.EXACTLY_ONCE, false, true,
        RetainHandling.DO_NOT_SEND));
    TestClient clears = TestClient.connect(c.broker, ProtocolVersion.MQTT_5, "rap-0", true);
    clears.subscribe(Properties.EMPTY, new Subscription("opt/t", QoS.AT_MOST_ONCE, false, false,
        RetainHandling.DO_NOT_SEND));
    awaitFilterKnown(a, b, "opt/t");
    awaitFilterKnown(a, c, "opt/t");
    TestClient publisher = TestClient.connect(a.broker, ProtocolVersion.MQTT_5, "pub-opt", true);
    Properties props = Properties.builder().put(Property.CONTENT_TYPE, "text/plain")
        .put(Property.CORRELATION_DATA, new byte[] {1, 2, 3}).userProperty("site", "plant-7")
        .build();

    // Exercise: a retained QoS 2 message with MQTT 5 properties
    publisher.publish("opt/t", "live", QoS.EXACTLY_ONCE, true, props);

    // Verify
    Publish kept = keeps.expectPublish("opt/t", "live");
    assertTrue(kept.retain(), "[MQTT-3.3.1-13] Retain As Published keeps the flag");
    assertEquals(QoS.EXACTLY_ONCE, kept.qos());
    assertEquals(props.userProperties(), kept.properties().userProperties(),
        "[MQTT-3.3.2-17] user properties forwarded unchanged");
    assertEquals("text/plain", kept.properties().get(Property.CONTENT_TYPE));
    assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) kept.properties().get(
        Property.CORRELATION_DATA));
    Publish cleared = clears.expectPublish("opt/t", "live");
    assertFalse(cleared.retain(), "[MQTT-3.3.1-12] RETAIN cleared on a live message");
    assertEquals(QoS.AT_MOST_ONCE, cleared.qos(), "granted QoS 0 on node C");
    publisher.publish("opt/t", "", QoS.AT_MOST_ONCE, true);
  }

  @Test
  void onePublishersMessagesArriveOnAnotherNodeInTheirOrder() throws Exception {
    BlockingQueue<MqttMessage> onB = new LinkedBlockingQueue<>();
    subscribe(b, "order/t", 1, onB);
    awaitFilterKnown(a, b, "order/t");
    TestClient publisher = TestClient.connect(a.broker, ProtocolVersion.MQTT_5, "pub-order", true);

    // Exercise: published back to back, without waiting for acknowledgements
    int count = 60;
    for (int i = 0; i < count; i++) {
      publisher.publish("order/t", Integer.toString(i), QoS.AT_LEAST_ONCE, false);
    }

    // Verify: [MQTT-4.6.0-6] the order of one publisher's messages on a topic is kept
    for (int i = 0; i < count; i++) {
      MqttMessage m = onB.poll(20, TimeUnit.SECONDS);
      assertEquals(Integer.toString(i), new String(m.getPayload(), StandardCharsets.UTF_8));
    }
    for (int i = 0; i < count; i++) {
      assertEquals(ReasonCode.SUCCESS, publisher.expect(PubAck.class).reasonCode());
    }
  }

  @Test
  void onlyNodesWithAMatchingSubscriberReceiveTheMessage() throws Exception {
    BlockingQueue<MqttMessage> onB = new LinkedBlockingQueue<>();
    subscribe(b, "only/b/+", 1, onB);
    awaitFilterKnown(a, b, "only/b/+");
    long toB = a.node.forwardedTo(b.id());
    long toC = a.node.forwardedTo(c.id());
    TestClient publisher = TestClient.connect(a.broker, ProtocolVersion.MQTT_5, "pub-only", true);

    // Exercise
    for (int i = 0; i < 10; i++) {
      assertEquals(ReasonCode.SUCCESS,
          publisher.publishAcked("only/b/" + i, Integer.toString(i)).reasonCode());
    }
    // no node has a subscriber: MQTT 5 says so, and nothing crosses
    PubAck none = publisher.publishAcked("only/nobody", "x");

    // Verify
    assertEquals(ReasonCode.NO_MATCHING_SUBSCRIBERS, none.reasonCode());
    assertEquals(10, a.node.forwardedTo(b.id()) - toB, "forwarded to the subscriber's node");
    assertEquals(0, a.node.forwardedTo(c.id()) - toC, "nothing to the node without one");
    for (int i = 0; i < 10; i++) {
      MqttMessage m = onB.poll(20, TimeUnit.SECONDS);
      assertEquals(Integer.toString(i), new String(m.getPayload(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void theAcknowledgementWaitsForTheRemoteSessionAndACongestedOneHoldsThePublisherBack()
      throws MqttException {
    TestClient subscriber = TestClient.connect(b.broker, ProtocolVersion.MQTT_5, "slow-sub", true);
    subscriber.subscribe("slow/t", QoS.AT_LEAST_ONCE);
    subscribe(b, "fast/t", 1, new LinkedBlockingQueue<>());
    awaitFilterKnown(a, b, "slow/t");
    awaitFilterKnown(a, b, "fast/t");
    TestClient publisher = TestClient.connect(a.broker, ProtocolVersion.MQTT_5, "pub-slow", true);
    int count = 12;
    long forwardedToB = peer(a, b).forwarded();
    long receivedFromA = peer(b, a).received();

    // Exercise: the subscriber on B acknowledges nothing; 2 in flight and 4 queued congest it
    for (int i = 0; i < count; i++) {
      publisher.publish("slow/t", Integer.toString(i), QoS.AT_LEAST_ONCE, false);
    }
    List<PubAck> acks = new ArrayList<>();
    await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> {
      collect(publisher, acks);
      return acks.size() < count;
    });
    int heldBack = count - acks.size();

    // Verify: acknowledgements are held while B's session cannot take more, then all arrive
    assertTrue(heldBack >= count - 6, "acknowledged before B took them: " + acks.size());
    // and A's per-peer figures show them as unsettled by B, the backpressure between the nodes
    assertEquals(heldBack, peer(a, b).unsettled(), "sent to B and not settled");
    assertEquals(0, peer(a, c).unsettled());
    assertEquals(count, peer(a, b).forwarded() - forwardedToB);
    // meanwhile a publisher on A feeding another subscriber on B is not held back
    TestClient other = TestClient.connect(a.broker, ProtocolVersion.MQTT_5, "pub-fast", true);
    for (int i = 0; i < 3; i++) {
      assertEquals(ReasonCode.SUCCESS, other.publishAcked("fast/t", "f").reasonCode());
    }
    for (int i = 0; i < count; i++) {
      Publish p = subscriber.expect(Publish.class);
      assertEquals(Integer.toString(i), TestClient.payloadOf(p));
      subscriber.puback(p);
    }
    await().atMost(WAIT).until(() -> {
      collect(publisher, acks);
      return acks.size() == count;
    });
    assertEquals(0, peer(a, b).unsettled());
    await().atMost(WAIT).until(() -> peer(b, a).received() - receivedFromA == count + 3);
  }

  /** @return what {@code at} counts for its peer {@code of} now */
  private static PeerTraffic peer(ClusterBroker at, ClusterBroker of) {
    return at.node.peers().stream().filter(p -> p.nodeId().equals(of.id())).findFirst()
        .orElseThrow(() -> new AssertionError(of.id() + " is no peer of " + at.id()));
  }

  @Test
  void aSharedGroupWithMembersOnEveryNodeGetsEachMessageOnceAndEveryMemberAShare()
      throws Exception {
    List<BlockingQueue<MqttMessage>> members = sharedGroupOnEveryNode("sh1");
    BlockingQueue<MqttMessage> plain = new LinkedBlockingQueue<>();
    subscribe(b, "sh1/#", 1, plain);
    awaitFilterKnown(a, b, "sh1/#");
    MqttClient publisher = paho(a, "pub-sh1");
    int count = 300;

    // Exercise: QoS 1, each publish returns once acknowledged
    for (int i = 0; i < count; i++) {
      publisher.publish("sh1/t", Integer.toString(i).getBytes(StandardCharsets.UTF_8), 1, false);
    }

    // Verify: [MQTT-4.8.2] each message goes to one member of the group, cluster-wide
    List<List<String>> got = drain(members, count);
    List<String> all = new ArrayList<>();
    got.forEach(all::addAll);
    assertEquals(count, all.size(), "one copy per message in the group: " + shares(got));
    assertEquals(count, new java.util.HashSet<>(all).size(), "no message twice in the group");
    for (int n = 0; n < got.size(); n++) {
      assertTrue(got.get(n).size() >= count / 10, "each node's member gets a share: "
          + shares(got));
    }
    // a non-shared subscriber on a node that serves the group gets every message itself
    assertEquals(count, drain(List.of(plain), count).get(0).size());

    // Exercise: QoS 0 and QoS 2, once each
    publisher.publish("sh1/q0", "q0".getBytes(StandardCharsets.UTF_8), 0, false);
    publisher.publish("sh1/q2", "q2".getBytes(StandardCharsets.UTF_8), 2, false);

    // Verify: each of them once in the group, at its QoS (granted 2)
    List<MqttMessage> once = new ArrayList<>();
    await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> {
      members.forEach(q -> q.drainTo(once));
      return once.size() >= 2;
    });
    assertEquals(List.of("q0", "q2"), once.stream().map(ClusterNodesTest::text).sorted()
        .toList());
    assertEquals(java.util.Set.of(0, 2), java.util.Set.copyOf(once.stream()
        .map(MqttMessage::getQos).toList()));
  }

  @Test
  void aSharedGroupMemberThatLeavesMidStreamLosesNoAcknowledgedMessage() throws Exception {
    BlockingQueue<MqttMessage> onA = new LinkedBlockingQueue<>();
    BlockingQueue<MqttMessage> onB = new LinkedBlockingQueue<>();
    BlockingQueue<MqttMessage> onC = new LinkedBlockingQueue<>();
    subscribe(a, "$share/g/sh2/#", 1, onA);
    subscribe(b, "$share/g/sh2/#", 1, onB);
    // the member on C is slow, so that messages wait in its session when it leaves
    MqttClient leaving = paho(c, "sh2-leaving");
    leaving.setCallback(slowly(onC));
    leaving.subscribe("$share/g/sh2/#", 1);
    for (ClusterBroker node : List.of(b, c)) {
      awaitFilterKnown(a, node, "$share/g/sh2/#");
    }
    awaitFilterKnown(c, a, "$share/g/sh2/#");
    awaitFilterKnown(c, b, "$share/g/sh2/#");
    MqttClient publisher = paho(a, "pub-sh2");
    int count = 200;

    // Exercise: the member on C disconnects (its clean session ends) half way
    for (int i = 0; i < count; i++) {
      if (i == count / 2) {
        leaving.disconnect(0);
      }
      publisher.publish("sh2/t", Integer.toString(i).getBytes(StandardCharsets.UTF_8), 1, false);
    }

    // Verify: [MQTT-4.8.2-6] what the leaving member did not take went to another member, on
    // its node or another; every message acknowledged to the publisher reached the group
    java.util.Set<String> reached = java.util.concurrent.ConcurrentHashMap.newKeySet();
    await().atMost(WAIT).until(() -> {
      for (BlockingQueue<MqttMessage> q : List.of(onA, onB, onC)) {
        List<MqttMessage> taken = new ArrayList<>();
        q.drainTo(taken);
        taken.forEach(m -> reached.add(text(m)));
      }
      return reached.size() == count;
    });
    assertFalse(leaving.isConnected());
  }

  /** @return the queues of a group's members on A, B and C, once A knows them all */
  private List<BlockingQueue<MqttMessage>> sharedGroupOnEveryNode(String prefix)
      throws MqttException {
    String group = "$share/g/" + prefix + "/#";
    List<BlockingQueue<MqttMessage>> members = new ArrayList<>();
    for (ClusterBroker node : NODES) {
      BlockingQueue<MqttMessage> got = new LinkedBlockingQueue<>();
      subscribe(node, group, 2, got);
      members.add(got);
    }
    awaitFilterKnown(a, b, group);
    awaitFilterKnown(a, c, group);
    return members;
  }

  /**
   * @return the payloads each queue got, once they add up to {@code count} and half a second
   *     brought no more
   */
  private static List<List<String>> drain(List<BlockingQueue<MqttMessage>> queues, int count) {
    List<List<String>> got = new ArrayList<>();
    queues.forEach(q -> got.add(new ArrayList<>()));
    await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> {
      for (int i = 0; i < queues.size(); i++) {
        List<MqttMessage> taken = new ArrayList<>();
        queues.get(i).drainTo(taken);
        List<String> into = got.get(i);
        taken.forEach(m -> into.add(text(m)));
      }
      return got.stream().mapToInt(List::size).sum() >= count;
    });
    return got;
  }

  private static String shares(List<List<String>> got) {
    return got.stream().map(l -> Integer.toString(l.size())).toList().toString();
  }

  private static String text(MqttMessage m) {
    return new String(m.getPayload(), StandardCharsets.UTF_8);
  }

  /** A callback that takes 5 ms per message, collecting into {@code into}. */
  private static MqttCallback slowly(BlockingQueue<MqttMessage> into) {
    return new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) throws InterruptedException {
        Thread.sleep(5);
        into.add(message);
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    };
  }

  @Test
  void aRetainedMessageIsSeenFromEveryNode() throws Exception {
    MqttClient publisher = paho(a, "pub-retained");

    // Exercise
    publisher.publish("ret/x", "kept".getBytes(StandardCharsets.UTF_8), 1, true);

    // Verify: [MQTT-3.3.1-6] a later subscriber on any node gets it, with RETAIN set
    for (ClusterBroker node : NODES) {
      await().atMost(WAIT).until(() -> node.broker.retained("ret/#", 10).messages().size() == 1);
      BlockingQueue<MqttMessage> got = new LinkedBlockingQueue<>();
      subscribe(node, "ret/#", 1, got);
      MqttMessage m = got.poll(20, TimeUnit.SECONDS);
      assertEquals("kept", new String(m.getPayload(), StandardCharsets.UTF_8));
      assertTrue(m.isRetained(), "[MQTT-3.3.1-9] RETAIN set on a retained message");
    }
    publisher.publish("ret/x", new byte[0], 1, true);
    for (ClusterBroker node : NODES) {
      await().atMost(WAIT).until(() -> node.broker.retained("ret/#", 10).messages().isEmpty());
    }
  }

  @Test
  void eachNodePublishesItsOwnSysFiguresAndTheClusterTotals() {
    List<TestClient> connected = new ArrayList<>();
    for (ClusterBroker node : List.of(b, b, c)) {
      connected.add(TestClient.connect(node.broker, ProtocolVersion.MQTT_5,
          "sys-" + connected.size(), true));
    }

    // Verify: every node's $SYS/broker/cluster/ sums the members' figures
    for (ClusterBroker node : NODES) {
      // one condition: a client of an earlier test may still be closing, so the live count
      // and the members' last reports are compared at one moment
      await().atMost(WAIT).until(() -> "3".equals(sys(node, "cluster/members"))
          && "3".equals(sys(node, "cluster/members/reporting"))
          && Long.toString(connectedOnAllNodes()).equals(sys(node, "cluster/clients/connected"))
          && node.node.status().totals().clientsConnected() == connectedOnAllNodes());
      ClusterStatus status = node.node.status();
      assertEquals(3, status.memberCount());
      assertTrue(status.running());
    }
    assertTrue(connectedOnAllNodes() - a.broker.stats().clientsConnected() >= connected.size(),
        "the total counts the clients of the other nodes");
    // each node's own figures stay its own: never in the cluster-wide retained messages
    for (ClusterBroker node : NODES) {
      await().atMost(WAIT).until(() -> Long.toString(node.broker.stats().clientsConnected())
          .equals(sys(node, "clients/connected")));
      assertFalse(node.node.sharesRetained("$SYS/broker/clients/connected"));
      assertFalse(node.node.sharesRetained("$SYS/broker/cluster/members"));
    }
  }

  @Test
  void anyNodeListsTheNodesAndEveryNodesClientsWithWhereTheyAre() {
    TestClient onB = TestClient.connect(b.broker, ProtocolVersion.MQTT_5, "where-b", true);
    TestClient onC = TestClient.connect(c.broker, ProtocolVersion.MQTT_5, "where-c", true);

    List<NodeClients> seenFromA = a.node.clients();
    List<NodeFigures> nodes = a.node.nodes();

    assertEquals(3, seenFromA.size());
    assertTrue(seenFromA.stream().allMatch(NodeClients::answered));
    assertEquals(List.of(b.id()), nodesHolding(seenFromA, "where-b"));
    assertEquals(List.of(c.id()), nodesHolding(seenFromA, "where-c"));
    assertEquals(1, seenFromA.stream().filter(NodeClients::self).count());
    assertEquals(a.id(), seenFromA.stream().filter(NodeClients::self).findFirst().orElseThrow()
        .nodeId());
    assertEquals(NODES.stream().map(ClusterBroker::id).sorted().toList(),
        nodes.stream().map(NodeFigures::nodeId).sorted().toList());
    assertEquals(List.of(a.id()), nodes.stream().filter(NodeFigures::self)
        .map(NodeFigures::nodeId).toList());
    onB.disconnectAbruptly();
    onC.disconnectAbruptly();
  }

  private static List<String> nodesHolding(List<NodeClients> all, String clientId) {
    return all.stream().filter(n -> n.clients().stream()
        .anyMatch(s -> s.clientId().equals(clientId) && s.connected()))
        .map(NodeClients::nodeId).toList();
  }

  private static long connectedOnAllNodes() {
    return NODES.stream().mapToLong(n -> n.broker.stats().clientsConnected()).sum();
  }

  /** @return the node's retained {@code $SYS/broker/<leaf>}, null while it has none */
  private static String sys(ClusterBroker node, String leaf) {
    List<org.ferrymq.message.Message> found = node.broker.retained("$SYS/broker/" + leaf, 1)
        .messages();
    return found.isEmpty() ? null : new String(found.get(0).payload(), StandardCharsets.UTF_8);
  }

  @Test
  void aNodeThatStopsLeavesTheClusterAndItsFiltersGoWithIt() throws IOException {
    int port = ClusterBroker.freePort();
    ClusterBroker d = ClusterBroker.start(NAME, SECRET, port, List.of(port, a.node.port()));
    String leaving = d.id();
    try {
      await().atMost(WAIT).until(() -> a.node.memberCount() == 4);
      // a persistent session: its subscription outlives the connection, so only the leave
      // can take the filter out of the directory
      TestClient.connect(d.broker, ProtocolVersion.MQTT_5, "stays", false,
          null, Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 3600).build())
          .subscribe("leave/t", QoS.AT_LEAST_ONCE);
      awaitFilterKnown(a, d, "leave/t");
      assertEquals("127.0.0.1:" + port, peer(a, d).address());
      // something crosses each way, so that both nodes count the peer
      TestClient.connect(a.broker, ProtocolVersion.MQTT_5, "pub-to-d", true)
          .publishAcked("leave/t", "to d");
      assertEquals(1, peer(a, d).forwarded());
      TestClient.connect(a.broker, ProtocolVersion.MQTT_5, "sub-of-d", true)
          .subscribe("from/d", QoS.AT_LEAST_ONCE);
      awaitFilterKnown(d, a, "from/d");
      TestClient.connect(d.broker, ProtocolVersion.MQTT_5, "pub-on-d", true)
          .publishAcked("from/d", "from d");
      await().atMost(WAIT).until(() -> peer(a, d).received() == 1);
    } finally {
      // Exercise: the adapter's order, broker first, then the member
      d.close();
    }

    // Verify: gone from every member's view and from the index, nothing forwarded there
    await().atMost(WAIT).until(() -> NODES.stream().allMatch(n -> n.node.memberCount() == 3
        && !n.node.knowsPeerFilter(leaving, "leave/t")));
    // its per-peer figures go with it (the metrics' peer tags with them)
    assertTrue(a.node.peers().stream().noneMatch(p -> p.nodeId().equals(leaving)));
    assertEquals(0, a.node.forwardedTo(leaving));
    // the persistent session outlives its node: the oldest survivor adopts it from its copy
    // (ClusterFailoverTest), and the topic has a subscriber again, on that survivor
    await().atMost(WAIT).until(() -> NODES.stream().anyMatch(n -> n.broker.clients().stream()
        .anyMatch(c -> c.clientId().equals("stays"))));
    TestClient publisher = TestClient.connect(a.broker, ProtocolVersion.MQTT_5, "pub-leave", true);
    await().atMost(WAIT).until(() -> publisher.publishAcked("leave/t", "x").reasonCode()
        == ReasonCode.SUCCESS);
  }

  @Test
  void aMemberWithoutTheSecretCannotJoin() {
    int port = ClusterBroker.freePort();
    ClusterConfig stranger = ClusterBroker.config(NAME, "not-the-secret-of-this-cluster", port,
        List.of(port, a.node.port()));
    long refusedBefore = a.node.refusedJoins();

    assertThrows(IllegalStateException.class, () -> ClusterNode.join(stranger));

    assertTrue(a.node.refusedJoins() > refusedBefore, "the master refused its join request");
    assertEquals(3, a.node.memberCount());
    NODES.forEach(n -> assertEquals(3, n.node.memberCount()));
  }

  @Test
  void aNodeDoesNotStayInAClusterWhoseMasterDoesNotCheckTheSecret() {
    // a plain Hazelcast member, without FerryMQ's join check, starts a cluster first
    String name = "rogue-" + UUID.randomUUID().toString().substring(0, 8);
    int roguePort = ClusterBroker.freePort();
    int port = ClusterBroker.freePort();
    com.hazelcast.config.Config config = new com.hazelcast.config.Config();
    config.setClusterName(name);
    config.setProperty("hazelcast.logging.type", "jdk");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.getJetConfig().setEnabled(false);
    config.getNetworkConfig().setPort(roguePort).setPortAutoIncrement(false);
    config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true)
        .addMember(ClusterBroker.HOST + ":" + port);
    config.setProperty("hazelcast.local.localAddress", ClusterBroker.HOST);
    com.hazelcast.core.HazelcastInstance rogue =
        com.hazelcast.core.Hazelcast.newHazelcastInstance(config);
    try {
      ClusterConfig joining = ClusterBroker.config(name, SECRET, port, List.of(roguePort));

      IllegalStateException refused = assertThrows(IllegalStateException.class,
          () -> ClusterNode.join(joining));

      assertTrue(refused.getMessage().contains("does not prove"), refused.getMessage());
      await().atMost(WAIT).until(() -> rogue.getCluster().getMembers().size() == 1);
    } finally {
      rogue.shutdown();
    }
  }

  private static void collect(TestClient client, List<PubAck> into) {
    org.ferrymq.packet.Packet p;
    while ((p = client.transport.pollNow()) != null) {
      into.add((PubAck) p);
    }
  }

  private static void awaitFilterKnown(ClusterBroker at, ClusterBroker of, String filter) {
    await().atMost(WAIT).until(() -> at.node.knowsPeerFilter(of.id(), filter));
  }

  private MqttClient paho(ClusterBroker node, String clientId) throws MqttException {
    MqttClient client = new MqttClient(node.uri(), clientId, new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(true);
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    client.connect(options);
    clients.add(client);
    return client;
  }

  private void subscribe(ClusterBroker node, String filter, int qos,
      BlockingQueue<MqttMessage> into) throws MqttException {
    MqttClient client = paho(node, "sub-" + UUID.randomUUID().toString().substring(0, 8));
    client.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        into.add(message);
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    });
    client.subscribe(filter, qos);
  }
}
