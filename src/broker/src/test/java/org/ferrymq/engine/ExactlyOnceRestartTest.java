package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.ferrymq.engine.TestBrokers.ManualClock;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubComp;
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.packet.Will;
import org.ferrymq.persistence.DeliveryState;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredReceipt;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.persistence.memory.MemoryPersistence;
import org.ferrymq.topic.SubscriptionEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What a restart does with inbound QoS 2 receipts (reused identifiers, routing a crash
 * interrupted) and with Wills. Broker A and broker B share one {@link MemoryPersistence}; the
 * store states a crash can leave are also written directly. The kill -9 versions are
 * {@code OnlineExactlyOnceCrashTest} and {@code KillNinePacketsTest}.
 */
class ExactlyOnceRestartTest {
  private static final Properties SESSION = Properties.builder()
      .put(Property.SESSION_EXPIRY_INTERVAL, 3600).build();

  private final ManualClock clock = new ManualClock();
  private final MemoryPersistence store = new MemoryPersistence();
  private MqttBroker brokerA;
  private MqttBroker sut;

  @AfterEach
  void stop() {
    if (brokerA != null) {
      brokerA.stop();
    }
    if (sut != null) {
      sut.stop();
    }
  }

  private MqttBroker startA() {
    brokerA = TestBrokers.started(b -> b.persistence(store).clock(clock));
    return brokerA;
  }

  private MqttBroker restart() {
    if (brokerA != null) {
      brokerA.stop();
    }
    sut = TestBrokers.started(b -> b.persistence(store).clock(clock));
    return sut;
  }

  private static TestClient persistent(MqttBroker b, String clientId) {
    return TestClient.connect(b, ProtocolVersion.MQTT_5, clientId, false, null, SESSION);
  }

  private static Publish qos2(String topic, String payload, int id, boolean dup) {
    return new Publish(topic, payload.getBytes(StandardCharsets.UTF_8), QoS.EXACTLY_ONCE, false,
        dup, id, Properties.EMPTY);
  }

  /** Before the restart: a subscriber online on "t", a PUBLISH id 5 acknowledged by PUBREC. */
  private TestClient[] receivedBeforeRestart() {
    MqttBroker a = startA();
    TestClient watcher = persistent(a, "watcher");
    watcher.subscribe("t", QoS.AT_MOST_ONCE);
    TestClient pub = persistent(a, "pub");
    pub.send(qos2("t", "one", 5, false));
    assertEquals(5, pub.expect(PubRec.class).packetId());
    watcher.expectPublish("t", "one");
    MqttBroker b = restart();
    return new TestClient[] {persistent(b, "watcher"), persistent(b, "pub")};
  }

  @Test
  @DisplayName("[MQTT-4.3.3-10] after a restart, PUBLISH with the held identifier, DUP 1 and the"
      + " same content is acknowledged and not delivered again")
  void resendAfterRestartIsNotDeliveredAgain() {
    TestClient[] c = receivedBeforeRestart();

    c[1].send(qos2("t", "one", 5, true));

    assertEquals(5, c[1].expect(PubRec.class).packetId());
    c[0].expectNothing(sut);
  }

  @Test
  @DisplayName("[MQTT-3.3.1-1] [MQTT-4.3.3-12] after a restart, the held identifier reused with"
      + " DUP 0 is a new message and is delivered")
  void reusedIdentifierWithDupZeroIsDelivered() {
    TestClient[] c = receivedBeforeRestart();

    c[1].send(qos2("t", "one", 5, false));

    assertEquals(5, c[1].expect(PubRec.class).packetId());
    c[0].expectPublish("t", "one");
  }

  @Test
  @DisplayName("After a restart, the held identifier with DUP 1 and other content is a new"
      + " message and is delivered (decided by content, as Mosquitto does)")
  void reusedIdentifierWithOtherContentIsDelivered() {
    TestClient[] c = receivedBeforeRestart();

    c[1].send(qos2("t", "two", 5, true));

    assertEquals(5, c[1].expect(PubRec.class).packetId());
    c[0].expectPublish("t", "two");
    c[1].send(new PubRel(5));
    assertEquals(5, c[1].expect(PubComp.class).packetId());
    c[1].send(qos2("t", "two", 5, true));
    assertEquals(5, c[1].expect(PubRec.class).packetId());
    c[0].expectPublish("t", "two");
  }

  @Test
  @DisplayName("A crash while a QoS 2 message was being routed: the resent PUBLISH reaches the"
      + " sessions (and shared groups) that had not stored it, and not those that had")
  void resendOfInterruptedRoutingReachesOnlyTheRest() {
    // Exercise: the store as the crash left it
    Message m = new Message("t", "m".getBytes(StandardCharsets.UTF_8), QoS.EXACTLY_ONCE, false,
        Properties.EMPTY, 0, "pub", 4);
    store.sessions().save(new StoredSession("pub", 5, 3600, 0, List.of(),
        List.of(new StoredReceipt(7, ContentHash.of(m), 4, false)), 5, null, 0));
    for (String id : List.of("had", "missed", "g1", "g2")) {
      String share = id.startsWith("g") ? "g" : null;
      store.sessions().save(new StoredSession(id, 5, 3600, 0, List.of(new SubscriptionEntry(id,
          "t", share, QoS.EXACTLY_ONCE, false, false, RetainHandling.SEND_ON_SUBSCRIBE, 0)),
          List.of(), 1, null, 0));
    }
    store.queues().put("had", new StoredDelivery(1, m, QoS.EXACTLY_ONCE, false, List.of(), null,
        0, DeliveryState.QUEUED));
    store.queues().put("g1", new StoredDelivery(1, m, QoS.EXACTLY_ONCE, false, List.of(),
        "$share/g/t", 0, DeliveryState.QUEUED));
    MqttBroker b = restart();
    TestClient had = persistent(b, "had");
    had.expectPublish("t", "m");
    TestClient missed = persistent(b, "missed");
    TestClient g1 = persistent(b, "g1");
    g1.expectPublish("t", "m");
    TestClient g2 = persistent(b, "g2");
    TestClient pub = persistent(b, "pub");

    pub.send(qos2("t", "m", 7, true));

    // Verify
    assertEquals(7, pub.expect(PubRec.class).packetId());
    missed.expectPublish("t", "m");
    had.expectNothing(b);
    g1.expectNothing(b);
    g2.expectNothing(b);
    pub.send(qos2("t", "m", 7, true));
    assertEquals(7, pub.expect(PubRec.class).packetId(), "[MQTT-4.3.3-10] routed now");
    missed.expectNothing(b);
    pub.send(new PubRel(7));
    assertEquals(7, pub.expect(PubComp.class).packetId());
  }

  private static Will delayedWill(long delaySeconds) {
    return TestClient.will("will/dying", "gone", QoS.AT_LEAST_ONCE, false,
        Properties.builder().put(Property.WILL_DELAY_INTERVAL, delaySeconds).build());
  }

  private void willWaitingAcrossRestart(long delaySeconds, long sessionExpiry) {
    MqttBroker a = startA();
    TestClient dying = TestClient.connect(a, ProtocolVersion.MQTT_5, "dying", false,
        delayedWill(delaySeconds), Properties.builder()
            .put(Property.SESSION_EXPIRY_INTERVAL, sessionExpiry).build());
    dying.disconnectAbruptly();
    clock.advance(Duration.ofSeconds(5));
    TestBrokers.sweep(a);
  }

  private TestClient watcher(MqttBroker b) {
    TestClient w = TestClient.connect(b, ProtocolVersion.MQTT_5, "watcher", true);
    w.subscribe("will/#", QoS.AT_LEAST_ONCE);
    return w;
  }

  @Test
  @DisplayName("[MQTT-3.1.3-9] a delayed Will whose delay had not passed survives the restart and"
      + " is published once the delay has passed, once")
  void delayedWillIsPublishedAfterTheRestart() {
    willWaitingAcrossRestart(60, 3600);
    MqttBroker b = restart();
    TestClient watcher = watcher(b);
    clock.advance(Duration.ofSeconds(50));
    TestBrokers.sweep(b);
    watcher.expectNothing(b);

    // Exercise
    clock.advance(Duration.ofSeconds(6));
    TestBrokers.sweep(b);

    // Verify
    watcher.expectPublish("will/dying", "gone");
    clock.advance(Duration.ofSeconds(60));
    TestBrokers.sweep(b);
    watcher.expectNothing(b);
    MqttBroker again = restartAgain(b);
    TestClient watcherAgain = watcher(again);
    clock.advance(Duration.ofSeconds(60));
    TestBrokers.sweep(again);
    watcherAgain.expectNothing(again);
  }

  private MqttBroker restartAgain(MqttBroker b) {
    b.stop();
    sut = TestBrokers.started(x -> x.persistence(store).clock(clock));
    return sut;
  }

  @Test
  @DisplayName("[MQTT-3.1.3-9] a client that resumes its session after the restart, within the"
      + " Will Delay Interval, suppresses the Will")
  void resumingAfterTheRestartSuppressesTheWill() {
    willWaitingAcrossRestart(60, 3600);
    MqttBroker b = restart();
    TestClient watcher = watcher(b);
    TestClient back = new TestClient(b, ProtocolVersion.MQTT_5);
    assertTrue(back.connectWith(new Connect(ProtocolVersion.MQTT_5, "dying", false, 60, null,
        null, null, SESSION)).sessionPresent());

    clock.advance(Duration.ofSeconds(120));
    TestBrokers.sweep(b);

    watcher.expectNothing(b);
    assertFalse(back.isClosed());
  }

  @Test
  @DisplayName("3.1.3.2.2: a session that expired while the broker was down publishes its"
      + " waiting Will as it ends, at the first sweep")
  void sessionExpiredDuringDowntimePublishesTheWill() {
    willWaitingAcrossRestart(3600, 30);
    clock.advance(Duration.ofSeconds(600));
    MqttBroker b = restart();
    TestClient watcher = watcher(b);

    TestBrokers.sweep(b);

    watcher.expectPublish("will/dying", "gone");
    assertEquals(List.of(), store.sessions().loadSessions().stream()
        .filter(s -> s.clientId().equals("dying")).toList());
  }
}
