package org.ferrymq.engine.spec.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubComp;
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.memory.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Session state and retained messages survive a broker restart through the persistence SPI
 * (MQTT 5 4.1: the server keeps session state for the Session Expiry Interval). Broker A and
 * broker B share one {@link MemoryPersistence}, which is how a restart is simulated.
 */
class RestartRecoveryTest {
  private static final Properties SESSION = Properties.builder()
      .put(Property.SESSION_EXPIRY_INTERVAL, 3600).build();

  private final MemoryPersistence store = new MemoryPersistence();
  private MqttBroker brokerA = TestBrokers.started(b -> b.persistence(store));
  private MqttBroker sut;

  @AfterEach
  void stop() {
    brokerA.stop();
    if (sut != null) {
      sut.stop();
    }
  }

  private MqttBroker restart() {
    brokerA.stop();
    sut = TestBrokers.started(b -> b.persistence(store));
    return sut;
  }

  private static Properties sessionFor(ProtocolVersion v) {
    return v.isV5() ? SESSION : Properties.EMPTY;
  }

  @ParameterizedTest
  @EnumSource(value = ProtocolVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
  @DisplayName("[MQTT-4.4.0-1] after a restart the session resumes with Session Present 1,"
      + " subscriptions intact, in-flight deliveries resent (PUBLISH with DUP, PUBREL) and"
      + " queued messages delivered in order; retained messages are kept")
  void sessionAndRetainedMessagesSurviveARestart(ProtocolVersion version) {
    TestClient sub = TestClient.connect(brokerA, version, "durable", false, null,
        sessionFor(version));
    sub.subscribe("p/#", QoS.EXACTLY_ONCE);
    TestClient pub = TestClient.connect(brokerA, ProtocolVersion.MQTT_5, "pub", true);
    pub.publish("p/1", "inflight-1", QoS.AT_LEAST_ONCE, false);
    pub.publish("p/2", "inflight-2", QoS.EXACTLY_ONCE, false);
    Publish one = sub.expectPublish("p/1", "inflight-1");
    Publish two = sub.expectPublish("p/2", "inflight-2");
    sub.send(new PubRec(two.packetId()));
    sub.expect(PubRel.class);
    sub.disconnectAbruptly();
    pub.publish("p/3", "queued-3", QoS.AT_LEAST_ONCE, false);
    pub.publish("p/4", "queued-4", QoS.EXACTLY_ONCE, false);
    pub.publish("p/5", "not kept", QoS.AT_MOST_ONCE, false);
    pub.publish("r/kept", "retained", QoS.AT_LEAST_ONCE, true);
    TestBrokers.drainLanes(brokerA);

    // Exercise
    MqttBroker b = restart();
    TestClient back = new TestClient(b, version);
    ConnAck ack = back.connectWith(new Connect(version, "durable", false, 60, null, null, null,
        sessionFor(version)));

    // Verify
    assertTrue(ack.sessionPresent(), "[MQTT-3.2.2-3]");
    Publish r1 = assertInstanceOf(Publish.class, back.expect(Packet.class));
    assertEquals(one.packetId(), r1.packetId());
    assertTrue(r1.dup(), "[MQTT-3.3.1-1]");
    assertEquals(two.packetId(), back.expect(PubRel.class).packetId(), "[MQTT-4.4.0-1]");
    Publish q3 = back.expectPublish("p/3", "queued-3");
    Publish q4 = back.expectPublish("p/4", "queued-4");
    assertFalse(q3.dup() || q4.dup(), "first transmissions");
    assertEquals(QoS.EXACTLY_ONCE, q4.qos());
    back.expectNothing(b);
    TestClient pub2 = TestClient.connect(b, ProtocolVersion.MQTT_5, "pub2", true);
    pub2.publish("p/6", "after restart", QoS.AT_MOST_ONCE, false);
    back.expectPublish("p/6", "after restart");
    TestClient late = TestClient.connect(b, ProtocolVersion.MQTT_5, "late", true);
    late.subscribe("r/#", QoS.AT_LEAST_ONCE);
    assertTrue(late.expectPublish("r/kept", "retained").retain());
    assertEquals(1, b.stats().retainedMessages());
  }

  @Test
  @DisplayName("4.3.3: inbound QoS 2 state survives a restart: a PUBLISH repeated after the"
      + " restart is acknowledged but not routed again")
  void inboundQos2StateSurvivesARestart() {
    TestClient watcher = TestClient.connect(brokerA, ProtocolVersion.MQTT_5, "watcher", false,
        null, SESSION);
    watcher.subscribe("q2", QoS.AT_MOST_ONCE);
    TestClient pub = TestClient.connect(brokerA, ProtocolVersion.MQTT_5, "pub", false, null,
        SESSION);
    Publish p = new Publish("q2", "once".getBytes(StandardCharsets.UTF_8), QoS.EXACTLY_ONCE,
        false, false, 11, null);
    pub.send(p);
    assertEquals(11, pub.expect(PubRec.class).packetId());
    watcher.expectPublish("q2", "once");

    // Exercise
    MqttBroker b = restart();
    TestClient watcherBack = TestClient.connect(b, ProtocolVersion.MQTT_5, "watcher", false,
        null, SESSION);
    TestClient pubBack = TestClient.connect(b, ProtocolVersion.MQTT_5, "pub", false, null,
        SESSION);
    pubBack.send(p.withDelivery(11, true));
    assertEquals(11, pubBack.expect(PubRec.class).packetId());
    pubBack.send(new PubRel(11));

    // Verify
    assertEquals(11, pubBack.expect(PubComp.class).packetId());
    watcherBack.expectNothing(b);
  }

  @Test
  @DisplayName("a session that ended before the restart is not recovered")
  void endedSessionIsNotRecovered() {
    TestClient c = TestClient.connect(brokerA, ProtocolVersion.MQTT_5, "brief", true);
    c.subscribe("t", QoS.AT_LEAST_ONCE);
    c.disconnectAbruptly();

    MqttBroker b = restart();

    assertEquals(List.of(), b.clients());
    assertEquals(0, b.stats().subscriptions());
  }

  @Test
  @DisplayName("after a restart with lower caps, recovered sessions and retained messages are"
      + " kept and counted: a new persistent session or retained topic is refused (0x97), the"
      + " recovered client resumes; a session stored as never expiring gets today's maximum")
  void recoveredStateCountsAgainstLoweredCaps() {
    TestBrokers.ManualClock clock = new TestBrokers.ManualClock();
    MqttBroker unbounded = TestBrokers.started(b -> b.persistence(store).clock(clock)
        .config(TestBrokers.config("mqtt.max-session-expiry", "4294967295")));
    brokerA.stop();
    brokerA = unbounded;
    for (String id : List.of("old-1", "old-2")) {
      TestClient c = TestClient.connect(brokerA, ProtocolVersion.MQTT_5, id, false, null,
          Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 0xFFFF_FFFFL).build());
      c.publish("r/" + id, "kept", QoS.AT_LEAST_ONCE, true);
      c.expect(org.ferrymq.packet.PubAck.class);
      c.disconnectAbruptly();
    }
    brokerA.stop();

    // Exercise
    sut = TestBrokers.started(b -> b.persistence(store).clock(clock).config(TestBrokers.config(
        "mqtt.max-persistent-sessions", "1", "mqtt.retained.max-messages", "1")));

    // Verify
    assertEquals(2, sut.quotaStats().persistentSessions(), "kept and counted");
    assertEquals(2, sut.quotaStats().retainedMessages());
    TestClient fresh = new TestClient(sut, ProtocolVersion.MQTT_5);
    assertEquals(org.ferrymq.packet.ReasonCode.QUOTA_EXCEEDED, fresh.connectWith(new Connect(
        ProtocolVersion.MQTT_5, "new", false, 60, null, null, null, SESSION)).reasonCode());
    TestClient old = new TestClient(sut, ProtocolVersion.MQTT_5);
    assertTrue(old.connectWith(new Connect(ProtocolVersion.MQTT_5, "old-1", false, 60, null, null,
        null, SESSION)).sessionPresent(), "[MQTT-3.2.2-2] resuming is never refused");
    old.publish("r/new", "x", QoS.AT_LEAST_ONCE, true);
    assertEquals(org.ferrymq.packet.ReasonCode.QUOTA_EXCEEDED,
        old.expect(org.ferrymq.packet.PubAck.class).reasonCode());
    clock.advance(java.time.Duration.ofDays(7).plusSeconds(1));
    TestBrokers.sweep(sut);
    assertEquals(1, sut.quotaStats().persistentSessions(), "old-2, stored as never expiring, "
        + "expired after the 7-day maximum and freed its place");
  }
}
