package org.ferrymq.engine.spec.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestBrokers.ManualClock;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Session state across connections (MQTT 5 3.1.2.11.2 and 4.1; 3.1.1 3.1.2.4 and 4.1): the
 * Session Expiry Interval, changing it on DISCONNECT, and MQTT 3 CleanSession=0 sessions.
 */
class SessionExpiryTest {
  private final ManualClock clock = new ManualClock();
  private final MqttBroker sut = TestBrokers.started(b -> b.clock(clock));

  @AfterEach
  void stop() {
    sut.stop();
  }

  private static Properties expiry(long seconds) {
    return Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, seconds).build();
  }

  private ConnAck reconnect(ProtocolVersion v, String id, Properties props, TestClient[] out) {
    TestClient c = new TestClient(sut, v);
    out[0] = c;
    return c.connectWith(new Connect(v, id, false, 60, null, null, null, props));
  }

  private boolean sessionKnown(String clientId) {
    return sut.clients().stream().anyMatch(c -> c.clientId().equals(clientId));
  }

  @Test
  @DisplayName("3.1.2.11.2: Session Expiry Interval 0 (or absent) ends the session when the"
      + " connection closes")
  void zeroExpiryEndsTheSessionAtDisconnect() {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "s", false);
    c.subscribe("t", QoS.AT_LEAST_ONCE);

    // Exercise
    c.disconnectAbruptly();

    // Verify
    assertFalse(sessionKnown("s"));
    TestClient[] again = new TestClient[1];
    assertFalse(reconnect(ProtocolVersion.MQTT_5, "s", Properties.EMPTY, again).sessionPresent(),
        "[MQTT-3.2.2-3] no session state, so Session Present 0");
    assertEquals(0, sut.stats().subscriptions());
  }

  @Test
  @DisplayName("[MQTT-3.1.2-23] with a Session Expiry Interval > 0 subscriptions and QoS 1/2"
      + " messages are kept while offline and delivered in order on resume; QoS 0 is not kept")
  void persistentSessionQueuesWhileOffline() {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "s", false, null,
        expiry(300));
    c.subscribe("q/#", QoS.EXACTLY_ONCE);
    c.disconnectAbruptly();
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    // Exercise
    pub.publish("q/1", "one", QoS.AT_LEAST_ONCE, false);
    pub.publish("q/0", "zero", QoS.AT_MOST_ONCE, false);
    pub.publish("q/2", "two", QoS.EXACTLY_ONCE, false);
    pub.publish("q/3", "three", QoS.AT_LEAST_ONCE, false);
    TestBrokers.drainLanes(sut);
    clock.advance(Duration.ofSeconds(200));
    TestBrokers.sweep(sut);
    TestClient[] back = new TestClient[1];
    ConnAck ack = reconnect(ProtocolVersion.MQTT_5, "s", expiry(300), back);

    // Verify
    assertTrue(ack.sessionPresent(), "[MQTT-3.2.2-3]");
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Publish p = back[0].expect(Publish.class);
      got.add(TestClient.payloadOf(p));
    }
    assertEquals(List.of("one", "two", "three"), got, "[MQTT-4.6.0-6] order kept per topic");
    back[0].expectNothing(sut);
  }

  @Test
  @DisplayName("[MQTT-4.1.0-2] the session and its state are discarded when the Session Expiry"
      + " Interval has passed")
  void sessionExpiresAfterTheInterval() {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "s", false, null, expiry(60));
    c.subscribe("t", QoS.AT_LEAST_ONCE);
    c.disconnectAbruptly();

    // Exercise
    clock.advance(Duration.ofSeconds(59));
    TestBrokers.sweep(sut);
    assertTrue(sessionKnown("s"), "still within the interval");
    clock.advance(Duration.ofSeconds(2));
    TestBrokers.sweep(sut);

    // Verify
    assertFalse(sessionKnown("s"));
    assertEquals(0, sut.stats().subscriptions());
    TestClient[] again = new TestClient[1];
    assertFalse(reconnect(ProtocolVersion.MQTT_5, "s", expiry(60), again).sessionPresent());
  }

  @Test
  @DisplayName("3.14.2.2.2: DISCONNECT with Session Expiry Interval 0 ends a persistent session")
  void disconnectCanShortenTheExpiryToZero() {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "s", false, null,
        expiry(300));
    c.subscribe("t", QoS.AT_LEAST_ONCE);

    // Exercise
    c.send(new Disconnect(ReasonCode.SUCCESS, expiry(0)));
    c.awaitClosed("[MQTT-3.14.4-1]");
    TestBrokers.drainLanes(sut);

    // Verify
    assertFalse(sessionKnown("s"));
  }

  @Test
  @DisplayName("3.14.2.2.2: DISCONNECT can lengthen a non-zero Session Expiry Interval")
  void disconnectCanLengthenTheExpiry() {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "s", false, null, expiry(10));

    // Exercise
    c.send(new Disconnect(ReasonCode.SUCCESS, expiry(600)));
    c.awaitClosed("[MQTT-3.14.4-1]");
    clock.advance(Duration.ofSeconds(100));
    TestBrokers.sweep(sut);

    // Verify
    assertTrue(sessionKnown("s"));
    TestClient[] again = new TestClient[1];
    assertTrue(reconnect(ProtocolVersion.MQTT_5, "s", expiry(600), again).sessionPresent());
  }

  @Test
  @DisplayName("3.14.2.2.2: DISCONNECT setting a non-zero Session Expiry Interval after 0 at"
      + " CONNECT is a Protocol Error: DISCONNECT 0x82, itself without Session Expiry Interval"
      + " [MQTT-3.14.2-2]")
  void disconnectCannotRaiseZeroExpiry() {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "s", false);

    // Exercise
    c.send(new Disconnect(ReasonCode.SUCCESS, expiry(300)));

    // Verify
    Disconnect d = c.expectDisconnect(ReasonCode.PROTOCOL_ERROR, "3.14.2.2.2");
    assertFalse(d.properties().has(Property.SESSION_EXPIRY_INTERVAL), "[MQTT-3.14.2-2]");
    TestBrokers.drainLanes(sut);
    assertFalse(sessionKnown("s"), "the session still ended at disconnect");
  }

  @Test
  @DisplayName("3.2.2.3.2: a Session Expiry Interval above mqtt.max-session-expiry is reduced and"
      + " the value used is returned in CONNACK")
  void sessionExpiryIsCapped() {
    MqttBroker capped = TestBrokers.started(b -> b.clock(clock)
        .config(TestBrokers.config("mqtt.max-session-expiry", "60")));
    try {
      TestClient c = new TestClient(capped, ProtocolVersion.MQTT_5);

      ConnAck ack = c.connectWith(new Connect(ProtocolVersion.MQTT_5, "s", false, 60, null, null,
          null, expiry(3600)));

      assertEquals(60L, ack.properties().getLong(Property.SESSION_EXPIRY_INTERVAL));
    } finally {
      capped.stop();
    }
  }

  @ParameterizedTest
  @EnumSource(value = ProtocolVersion.class, names = {"MQTT_3_1", "MQTT_3_1_1"})
  @DisplayName("[MQTT-3.1.2-4] MQTT 3: CleanSession=0 keeps subscriptions and QoS 1/2 messages"
      + " for the next connection [MQTT-3.1.2-5]; QoS 0 is not kept")
  void v3PersistentSession(ProtocolVersion version) {
    TestClient c = TestClient.connect(sut, version, "v3", false);
    c.subscribe("v3/t", QoS.AT_LEAST_ONCE);
    c.disconnectAbruptly();
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "pub", true);

    // Exercise
    pub.publish("v3/t", "kept", QoS.AT_LEAST_ONCE, false);
    pub.publish("v3/t", "lost", QoS.AT_MOST_ONCE, false);
    TestBrokers.drainLanes(sut);
    clock.advance(Duration.ofDays(6));
    TestBrokers.sweep(sut);
    TestClient[] back = new TestClient[1];
    ConnAck ack = reconnect(version, "v3", Properties.EMPTY, back);

    // Verify
    assertEquals(version == ProtocolVersion.MQTT_3_1_1, ack.sessionPresent());
    back[0].expectPublish("v3/t", "kept");
    back[0].expectNothing(sut);
  }

  @Test
  @DisplayName("MQTT 3.1.1: a CleanSession=0 session ends after mqtt.v3-session-expiry (7 days by"
      + " default), so an abandoned one does not stay forever")
  void v3PersistentSessionExpiresAfterTheDefault() {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "v3", false);
    c.subscribe("v3/t", QoS.AT_LEAST_ONCE);
    c.disconnectAbruptly();

    // Exercise
    clock.advance(Duration.ofDays(7).minusSeconds(1));
    TestBrokers.sweep(sut);
    assertTrue(sessionKnown("v3"), "still within 7 days");
    clock.advance(Duration.ofSeconds(2));
    TestBrokers.sweep(sut);

    // Verify
    assertFalse(sessionKnown("v3"));
    assertEquals(0, sut.quotaStats().persistentSessions(), "its place is free");
  }

  @Test
  @DisplayName("3.2.2.3.2: an MQTT 5 client asking for a session that never expires gets the"
      + " default maximum, 7 days, in CONNACK")
  void neverExpiringIsReducedToTheDefaultMaximum() {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_5);

    ConnAck ack = c.connectWith(new Connect(ProtocolVersion.MQTT_5, "s", false, 60, null, null,
        null, expiry(0xFFFF_FFFFL)));

    assertEquals(604_800L, ack.properties().getLong(Property.SESSION_EXPIRY_INTERVAL));
  }

  @Test
  @DisplayName("MQTT 3.1.1: mqtt.v3-session-expiry is capped by mqtt.max-session-expiry")
  void v3ExpiryIsCappedByTheMaximum() {
    MqttBroker capped = TestBrokers.started(b -> b.clock(clock).config(TestBrokers.config(
        "mqtt.max-session-expiry", "60", "mqtt.v3-session-expiry", "3600")));
    try {
      TestClient c = TestClient.connect(capped, ProtocolVersion.MQTT_3_1_1, "v3", false);
      c.disconnectAbruptly();

      clock.advance(Duration.ofSeconds(61));
      TestBrokers.sweep(capped);

      assertTrue(capped.clients().isEmpty());
    } finally {
      capped.stop();
    }
  }
}
