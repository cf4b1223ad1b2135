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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.ferrymq.clients.PahoV5Arrivals;
import org.ferrymq.packet.QoS;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sessions are cluster-wide: three brokers with their Hazelcast members on loopback, clients
 * over TCP (Paho MQTT 3.1.1 and MQTT 5). A persistent session moves, with its queue and
 * subscriptions, to the node its client reconnects to; the same client id connected on another
 * node takes the session over; only its owner may; a clean start ends it where it was. A
 * subscriber moving back and forth mid-stream loses no acknowledged message and gets no QoS 2
 * message twice (the handover window), and two CONNECTs raced on two nodes leave one session.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterSessionsTest {
  private static final String NAME = "sessions-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String SECRET = "a-shared-secret-of-the-test-cluster";
  static final Duration WAIT = Duration.ofSeconds(20);
  private static final List<ClusterBroker> NODES = new ArrayList<>();
  private static ClusterBroker a;
  private static ClusterBroker b;
  private static ClusterBroker c;
  private final List<AutoCloseable> clients = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    NODES.addAll(ClusterBroker.startCluster(NAME, SECRET, 3));
    a = NODES.get(0);
    b = NODES.get(1);
    c = NODES.get(2);
  }

  @AfterAll
  static void stopCluster() {
    NODES.forEach(ClusterBroker::close);
  }

  @AfterEach
  void closeClients() throws Exception {
    for (AutoCloseable client : clients) {
      client.close();
    }
  }

  @Test
  void aPersistentSessionResumedOnAnotherNodeGetsItsQueuedMessagesOnceAndMovesThere()
      throws Exception {
    BlockingQueue<String> arrived = new LinkedBlockingQueue<>();
    MqttClient onA = paho(a, "resume-311", false, null, arrived);
    onA.subscribe("res311/#", 2);
    onA.disconnect();
    awaitFilterKnown(c, a, "res311/#");
    MqttClient publisher = paho(c, "pub-res311", true, null, null);

    // Exercise: QoS 1 and 2 published while the client is offline, then it resumes on B
    Set<String> sent = new TreeSet<>();
    for (int i = 0; i < 10; i++) {
      String payload = "m" + i;
      publisher.publish("res311/" + i, payload.getBytes(StandardCharsets.UTF_8), 1 + i % 2,
          false);
      sent.add(payload);
    }
    MqttClient onB = new MqttClient(b.uri(), "resume-311", new MemoryPersistence());
    closeLater(onB);
    onB.setCallback(collecting(arrived));
    boolean present = onB.connectWithResult(options(false, null)).getSessionPresent();

    // Verify
    assertTrue(present, "[MQTT-3.2.2-2] the session is present on the node it moved to");
    Set<String> received = new TreeSet<>();
    for (int i = 0; i < sent.size(); i++) {
      String m = arrived.poll(20, TimeUnit.SECONDS);
      assertTrue(m != null && received.add(m), "each queued message once, got " + received
          + " then " + m);
    }
    assertEquals(sent, received);
    Thread.sleep(500);
    assertTrue(arrived.isEmpty(), "[MQTT-4.3.3-2] no QoS 2 message twice: " + arrived);
    // the subscription now lives on B: node C learns it, and that A has it no more
    awaitFilterKnown(c, b, "res311/#");
    await().atMost(WAIT).until(() -> !c.node.knowsPeerFilter(a.id(), "res311/#"));
    publisher.publish("res311/after", "after".getBytes(StandardCharsets.UTF_8), 1, false);
    assertEquals("after", arrived.poll(20, TimeUnit.SECONDS));
  }

  @Test
  void anMqtt5SessionWithExpiryMovesWithItsQueue() throws Exception {
    BlockingQueue<String> arrived = new LinkedBlockingQueue<>();
    org.eclipse.paho.mqttv5.client.MqttClient onA = paho5(a, "resume-5", arrived, null);
    onA.subscribe("res5/#", 2);
    onA.disconnect();
    awaitFilterKnown(c, a, "res5/#");
    MqttClient publisher = paho(c, "pub-res5", true, null, null);
    for (int i = 0; i < 6; i++) {
      publisher.publish("res5/" + i, ("v" + i).getBytes(StandardCharsets.UTF_8), 1 + i % 2,
          false);
    }

    // Exercise
    org.eclipse.paho.mqttv5.client.MqttClient onB = new org.eclipse.paho.mqttv5.client.MqttClient(
        b.uri(), "resume-5", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    clients.add(() -> {
      if (onB.isConnected()) {
        onB.disconnect();
      }
      onB.close();
    });
    onB.setCallback(collecting5(arrived, null));
    IMqttToken token = onB.connectWithResult(options5());

    // Verify
    assertTrue(token.getSessionPresent(), "[MQTT-3.2.2-3] session present after the move");
    Set<String> received = new TreeSet<>();
    for (int i = 0; i < 6; i++) {
      received.add(arrived.poll(20, TimeUnit.SECONDS));
    }
    assertEquals(Set.of("v0", "v1", "v2", "v3", "v4", "v5"), received);
    Thread.sleep(500);
    assertTrue(arrived.isEmpty(), "[MQTT-4.3.3-2] each once: " + arrived);
    onB.disconnect();
  }

  @Test
  void theSameClientIdOnAnotherNodeTakesTheSessionOver() throws Exception {
    BlockingQueue<String> arrived = new LinkedBlockingQueue<>();
    BlockingQueue<Integer> disconnects = new LinkedBlockingQueue<>();
    org.eclipse.paho.mqttv5.client.MqttClient onA = paho5(a, "taken-5", arrived, disconnects);
    onA.subscribe("taken/#", 1);

    // Exercise
    org.eclipse.paho.mqttv5.client.MqttClient onB = paho5(b, "taken-5", arrived, null);

    // Verify
    assertEquals(0x8E, disconnects.poll(20, TimeUnit.SECONDS),
        "[MQTT-3.1.4-3] the earlier connection gets DISCONNECT Session taken over");
    await().atMost(WAIT).until(() -> !onA.isConnected());
    assertTrue(onB.isConnected());
    awaitFilterKnown(c, b, "taken/#");
    MqttClient publisher = paho(c, "pub-taken", true, null, null);
    publisher.publish("taken/x", "x".getBytes(StandardCharsets.UTF_8), 1, false);
    assertEquals("x", arrived.poll(20, TimeUnit.SECONDS), "the session's subscription moved");
    onB.disconnect();
  }

  @Test
  void anotherIdentityCannotTakeTheSession() throws Exception {
    MqttClient owner = paho(a, "owned", false, "alice", null);

    MqttException refused = assertThrows(MqttException.class,
        () -> paho(b, "owned", false, "mallory", null));

    assertEquals(MqttException.REASON_CODE_INVALID_CLIENT_ID, refused.getReasonCode(),
        "[MQTT-3.1.3-5] identifier rejected (MQTT 5: 0x85)");
    Thread.sleep(300);
    assertTrue(owner.isConnected(), "the owner keeps its connection and session");
  }

  @Test
  void aCleanStartOnAnotherNodeEndsTheSessionWhereItWas() throws Exception {
    MqttClient onA = paho(a, "cleaned", false, null, null);
    onA.subscribe("cleaned/#", 1);
    onA.disconnect();
    awaitFilterKnown(c, a, "cleaned/#");

    // Exercise
    MqttClient onB = new MqttClient(b.uri(), "cleaned", new MemoryPersistence());
    closeLater(onB);
    boolean present = onB.connectWithResult(options(true, null)).getSessionPresent();

    // Verify
    assertFalse(present, "[MQTT-3.2.2-1] clean session: no session present");
    await().atMost(WAIT).until(() -> !c.node.knowsPeerFilter(a.id(), "cleaned/#"));
    onB.disconnect();
    MqttClient again = new MqttClient(a.uri(), "cleaned", new MemoryPersistence());
    closeLater(again);
    assertFalse(again.connectWithResult(options(false, null)).getSessionPresent(),
        "[MQTT-3.2.2-3] the old session ended: none to resume");
    again.disconnect();
  }

  @Test
  void aSubscriberMovingBetweenNodesLosesNoAcknowledgedMessageAndGetsNoneTwice()
      throws Exception {
    Map<String, Integer> arrivals = new ConcurrentHashMap<>();
    MovingSubscriber mover = new MovingSubscriber("mover", arrivals);
    mover.connectTo(b.broker);
    mover.subscribe("window/#", QoS.EXACTLY_ONCE);
    awaitFilterKnown(a, b, "window/#");
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicBoolean streaming = new AtomicBoolean(true);
    List<Thread> publishers = List.of(publisher(1, acknowledged, streaming),
        publisher(2, acknowledged, streaming));
    publishers.forEach(Thread::start);

    // Exercise: the subscriber reconnects to the other node, again and again, mid-stream
    ClusterBroker at = b;
    for (int move = 0; move < 8; move++) {
      Thread.sleep(400);
      mover.disconnect();
      at = at == b ? c : b;
      assertTrue(mover.connectTo(at.broker), "[MQTT-3.2.2-2] the session moved along");
    }
    Thread.sleep(400);
    streaming.set(false);
    for (Thread t : publishers) {
      t.join(20_000);
    }

    // Verify: every acknowledged message arrived [MQTT-4.3.2-2], no QoS 2 one twice [MQTT-4.3.3-2]
    assertTrue(acknowledged.size() > 100, "the publishers streamed: " + acknowledged.size());
    try {
      await().atMost(WAIT).until(() -> arrivals.keySet().containsAll(acknowledged));
    } finally {
      Set<String> lost = new TreeSet<>(acknowledged);
      lost.removeAll(arrivals.keySet());
      assertEquals(Set.of(), lost, "acknowledged but lost, of " + acknowledged.size());
    }
    Thread.sleep(1_000);
    Set<String> twice = new TreeSet<>();
    arrivals.forEach((payload, n) -> {
      if (n > 1) {
        twice.add(payload);
      }
    });
    // QoS 1 may arrive twice [MQTT-4.3.2]; a moving session here takes it once all the same
    assertEquals(Set.of(), twice, "messages delivered more than once");
    mover.disconnect();
  }

  @Test
  void twoConnectsRacedOnTwoNodesLeaveOneSession() throws Exception {
    for (int round = 0; round < 20; round++) {
      String clientId = "raced-" + round;
      BlockingQueue<Integer> disconnectsOnB = new LinkedBlockingQueue<>();
      BlockingQueue<Integer> disconnectsOnC = new LinkedBlockingQueue<>();
      MqttAsyncClient onB = paho5Async(b, clientId, disconnectsOnB);
      MqttAsyncClient onC = paho5Async(c, clientId, disconnectsOnC);
      CountDownLatch go = new CountDownLatch(1);
      Thread toB = connectOn(onB, go);
      Thread toC = connectOn(onC, go);

      // Exercise
      go.countDown();
      toB.join();
      toC.join();

      // Verify: one client connected, the other taken over [MQTT-3.1.4-3], one session
      String r = "round " + round + ": ";
      await().alias(r + "one connection taken over, the other connected").atMost(WAIT)
          .until(() -> !disconnectsOnB.isEmpty() && onC.isConnected()
              || !disconnectsOnC.isEmpty() && onB.isConnected());
      boolean bWon = onB.isConnected();
      assertEquals(0x8E, (bWon ? disconnectsOnC : disconnectsOnB).peek(),
          r + "the other connection gets DISCONNECT Session taken over");
      assertTrue(onB.isConnected() != onC.isConnected(), r + "one connection");
      ClusterBroker winner = bWon ? b : c;
      ClusterBroker loser = bWon ? c : b;
      await().alias(r + "the directory names the winner's node").atMost(WAIT)
          .until(() -> winner.id().equals(winner.sessionHolder(clientId)));
      assertTrue(winner.broker.client(clientId).get(5, TimeUnit.SECONDS).isPresent(),
          r + "the session is on the node of the connected client");
      assertTrue(loser.broker.client(clientId).get(5, TimeUnit.SECONDS).isEmpty(),
          r + "and nowhere else");
      closeForcibly(onB);
      closeForcibly(onC);
    }
  }

  /** Closes a client in whatever state the race left it (connected, taken over, connecting). */
  private static void closeForcibly(MqttAsyncClient client) {
    try {
      client.disconnectForcibly(0, 1_000, false);
    } catch (org.eclipse.paho.mqttv5.common.MqttException notConnected) {
      // taken over, or its CONNECT still unanswered by Paho: closed below all the same
    }
    try {
      client.close(true);
    } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
      throw new IllegalStateException("Paho could not close its client", e);
    }
  }

  /**
   * A publisher on node A streaming one QoS until told to stop; records each payload once its
   * PUBACK/PUBCOMP arrived. A failed publish (the connection closed) is retried once connected
   * again, under a new payload: the failed one was not acknowledged.
   */
  private static Thread publisher(int qos, Set<String> acknowledged, AtomicBoolean streaming) {
    return new Thread(() -> {
      try {
        MqttClient client = new MqttClient(a.uri(), "streamer-" + qos, new MemoryPersistence());
        client.connect(options(true, null));
        for (int n = 0; streaming.get(); n++) {
          String payload = qos + "-" + n;
          try {
            client.publish("window/" + qos, payload.getBytes(StandardCharsets.UTF_8), qos, false);
            acknowledged.add(payload);
          } catch (MqttException failed) {
            if (!client.isConnected()) {
              client.connect(options(true, null));
            }
          }
        }
        client.disconnect(5_000);
        client.close();
      } catch (MqttException e) {
        throw new IllegalStateException(e);
      }
    }, "streamer-" + qos);
  }

  private static MqttAsyncClient paho5Async(ClusterBroker node, String clientId,
      BlockingQueue<Integer> disconnects) throws Exception {
    MqttAsyncClient client = new MqttAsyncClient(node.uri(), clientId,
        new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    client.setCallback(new PahoV5Arrivals((topic, message) -> { }, disconnects::add));
    return client;
  }

  /**
   * Sends the CONNECT once released and does not wait for its answer: Paho's connect token of
   * the connection taken over right after its CONNACK may stay incomplete until Paho's own
   * timeout, so the test looks at the connections instead.
   */
  private static Thread connectOn(MqttAsyncClient client, CountDownLatch go) {
    Thread t = new Thread(() -> {
      try {
        go.await();
        client.connect(options5());
      } catch (Exception refused) {
        // the assertions look at which client stayed connected
      }
    });
    t.start();
    return t;
  }

  static void awaitFilterKnown(ClusterBroker at, ClusterBroker of, String filter) {
    await().atMost(WAIT).until(() -> at.node.knowsPeerFilter(of.id(), filter));
  }

  private MqttClient paho(ClusterBroker node, String clientId, boolean clean, String user,
      BlockingQueue<String> into) throws MqttException {
    MqttClient client = new MqttClient(node.uri(), clientId, new MemoryPersistence());
    clients.add(client::close);
    if (into != null) {
      client.setCallback(collecting(into));
    }
    client.connect(options(clean, user));
    clients.add(0, () -> {
      if (client.isConnected()) {
        client.disconnect();
      }
    });
    return client;
  }

  private void closeLater(MqttClient client) {
    clients.add(() -> {
      if (client.isConnected()) {
        client.disconnect();
      }
      client.close();
    });
  }

  static MqttConnectOptions options(boolean clean, String user) {
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(clean);
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setAutomaticReconnect(false);
    if (user != null) {
      options.setUserName(user);
      options.setPassword("password".toCharArray());
    }
    return options;
  }

  static MqttCallback collecting(BlockingQueue<String> into) {
    return new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        into.add(new String(message.getPayload(), StandardCharsets.UTF_8));
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    };
  }

  private org.eclipse.paho.mqttv5.client.MqttClient paho5(ClusterBroker node, String clientId,
      BlockingQueue<String> into, BlockingQueue<Integer> disconnects) throws Exception {
    org.eclipse.paho.mqttv5.client.MqttClient client =
        new org.eclipse.paho.mqttv5.client.MqttClient(node.uri(), clientId,
            new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    clients.add(client::close);
    client.setCallback(collecting5(into, disconnects));
    client.connect(options5());
    clients.add(0, () -> {
      if (client.isConnected()) {
        client.disconnect();
      }
    });
    return client;
  }

  private static MqttConnectionOptions options5() {
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(false);
    options.setSessionExpiryInterval(300L);
    options.setAutomaticReconnect(false);
    return options;
  }

  private static PahoV5Arrivals collecting5(BlockingQueue<String> into,
      BlockingQueue<Integer> disconnects) {
    return new PahoV5Arrivals(
        (topic, message) -> into.add(new String(message.getPayload(), StandardCharsets.UTF_8)),
        reasonCode -> {
          if (disconnects != null) {
            disconnects.add(reasonCode);
          }
        });
  }
}
