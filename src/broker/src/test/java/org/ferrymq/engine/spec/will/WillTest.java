package org.ferrymq.engine.spec.will;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
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
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.Will;
import org.ferrymq.security.Authorizer;
import org.ferrymq.security.ClientIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Will Messages (MQTT 5 3.1.2.5 and 3.1.3.2; 3.1.1 3.1.2.5): when they are published, when not,
 * the Will Delay Interval, Will QoS and Will Retain, and the permission to publish them. The
 * clock is a {@link ManualClock} and the broker's timer sweep is run on demand.
 */
class WillTest {
  private final ManualClock clock = new ManualClock();
  private MqttBroker sut = TestBrokers.started(b -> b.clock(clock));

  @AfterEach
  void stop() {
    sut.stop();
  }

  private TestClient watcher() {
    TestClient w = TestClient.connect(sut, ProtocolVersion.MQTT_5, "watcher", true);
    w.subscribe("will/#", QoS.EXACTLY_ONCE);
    return w;
  }

  private TestClient connectWithWill(ProtocolVersion v, String id, boolean cleanStart, Will will,
      long sessionExpiry) {
    Properties props = v.isV5() && sessionExpiry > 0
        ? Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, sessionExpiry).build()
        : Properties.EMPTY;
    return TestClient.connect(sut, v, id, cleanStart, will, props);
  }

  private static Will will(String payload) {
    return TestClient.will("will/dying", payload, QoS.AT_MOST_ONCE, false, null);
  }

  private static Will delayedWill(String payload, long delaySeconds) {
    return TestClient.will("will/dying", payload, QoS.AT_MOST_ONCE, false,
        Properties.builder().put(Property.WILL_DELAY_INTERVAL, delaySeconds).build());
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  @DisplayName("[MQTT-3.1.2-8] the Will is published when the network connection closes without"
      + " DISCONNECT")
  void willPublishedOnAbnormalClose(ProtocolVersion version) {
    TestClient watcher = watcher();
    TestClient dying = connectWithWill(version, "dying", true, will("abnormal"), 0);

    // Exercise
    dying.disconnectAbruptly();

    // Verify
    watcher.expectPublish("will/dying", "abnormal");
  }

  @Test
  @DisplayName("[MQTT-3.1.2-8] the Will is published when the server closes the connection for"
      + " a protocol error")
  void willPublishedOnProtocolError() {
    TestClient watcher = watcher();
    TestClient dying = connectWithWill(ProtocolVersion.MQTT_5, "dying", true, will("broken"), 0);

    // Exercise: a second CONNECT [MQTT-3.1.0-2]
    dying.send(new Connect(ProtocolVersion.MQTT_5, "dying", true, 60, null, null, null, null));

    // Verify
    dying.expectDisconnect(ReasonCode.PROTOCOL_ERROR, "[MQTT-3.1.0-2]");
    watcher.expectPublish("will/dying", "broken");
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  @DisplayName("[MQTT-3.1.2-10] a normal DISCONNECT discards the Will")
  void willNotPublishedOnNormalDisconnect(ProtocolVersion version) {
    TestClient watcher = watcher();
    TestClient leaving = connectWithWill(version, "leaving", true, will("should not appear"), 0);

    // Exercise
    leaving.send(Disconnect.NORMAL);
    leaving.disconnectAbruptly();

    // Verify
    leaving.awaitClosed("[MQTT-3.14.4-1]");
    watcher.expectNothing(sut);
  }

  @Test
  @DisplayName("3.14.2.1: DISCONNECT with reason 0x04 publishes the Will")
  void willPublishedOnDisconnectWithWill() {
    TestClient watcher = watcher();
    TestClient leaving = connectWithWill(ProtocolVersion.MQTT_5, "leaving", true,
        will("asked for"), 0);

    // Exercise
    leaving.send(new Disconnect(ReasonCode.DISCONNECT_WITH_WILL, Properties.EMPTY));

    // Verify
    leaving.awaitClosed("3.14.2.1");
    watcher.expectPublish("will/dying", "asked for");
  }

  @Test
  @DisplayName("[MQTT-3.1.3-9] a delayed Will is not published before the Will Delay Interval,"
      + " and is published once it has passed")
  void willDelayHoldsTheWillBack() {
    TestClient watcher = watcher();
    TestClient dying = connectWithWill(ProtocolVersion.MQTT_5, "dying", true,
        delayedWill("late", 10), 300);

    // Exercise
    dying.disconnectAbruptly();
    clock.advance(Duration.ofSeconds(9));
    TestBrokers.sweep(sut);
    watcher.expectNothing(sut);
    clock.advance(Duration.ofSeconds(2));
    TestBrokers.sweep(sut);

    // Verify
    watcher.expectPublish("will/dying", "late");
  }

  @Test
  @DisplayName("[MQTT-3.1.3-9] a client that resumes its session within the Will Delay Interval"
      + " suppresses the Will")
  void reconnectWithinWillDelaySuppressesTheWill() {
    TestClient watcher = watcher();
    TestClient dying = connectWithWill(ProtocolVersion.MQTT_5, "dying", false,
        delayedWill("never", 10), 300);
    dying.disconnectAbruptly();
    clock.advance(Duration.ofSeconds(5));
    TestBrokers.sweep(sut);

    // Exercise
    TestClient back = connectWithWill(ProtocolVersion.MQTT_5, "dying", false, null, 300);
    clock.advance(Duration.ofSeconds(30));
    TestBrokers.sweep(sut);

    // Verify
    watcher.expectNothing(sut);
    assertFalse(back.isClosed());
  }

  @Test
  @DisplayName("3.1.2.5: the Will is published when the session ends before the Will Delay"
      + " Interval passes")
  void sessionEndPublishesTheDelayedWill() {
    TestClient watcher = watcher();
    TestClient dying = connectWithWill(ProtocolVersion.MQTT_5, "dying", true,
        delayedWill("at session end", 100), 5);

    // Exercise
    dying.disconnectAbruptly();
    clock.advance(Duration.ofSeconds(6));
    TestBrokers.sweep(sut);

    // Verify
    watcher.expectPublish("will/dying", "at session end");
    assertTrue(sut.clients().stream().noneMatch(c -> c.clientId().equals("dying")),
        "the session has ended");
  }

  @Test
  @DisplayName("3.1.2.5: with Session Expiry 0 the session ends at once, and so the Will Delay"
      + " Interval does not hold the Will back")
  void zeroSessionExpiryPublishesAtOnce() {
    TestClient watcher = watcher();
    TestClient dying = connectWithWill(ProtocolVersion.MQTT_5, "dying", true,
        delayedWill("now", 100), 0);

    dying.disconnectAbruptly();

    watcher.expectPublish("will/dying", "now");
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  @DisplayName("[MQTT-3.1.2-17] Will Retain 1 publishes a retained Will, at the Will QoS")
  void willRetainAndQos(ProtocolVersion version) {
    TestClient watcher = watcher();
    Will will = TestClient.will("will/retained", "last words", QoS.EXACTLY_ONCE, true, null);
    TestClient dying = connectWithWill(version, "dying", true, will, 0);

    // Exercise
    dying.disconnectAbruptly();

    // Verify
    Publish live = watcher.expectPublish("will/retained", "last words");
    assertEquals(QoS.EXACTLY_ONCE, live.qos(), "published at the Will QoS");
    watcher.send(new PubRec(live.packetId()));
    TestClient late = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "late", true);
    late.subscribe("will/retained", QoS.AT_LEAST_ONCE);
    Publish retained = late.expectPublish("will/retained", "last words");
    assertTrue(retained.retain(), "[MQTT-3.3.1-8]");
  }

  @Test
  @DisplayName("[MQTT-3.1.2-16] Will Retain 0 publishes a non-retained Will")
  void willWithoutRetainIsNotRetained() {
    TestClient dying = connectWithWill(ProtocolVersion.MQTT_5, "dying", true, will("plain"), 0);

    dying.disconnectAbruptly();

    assertEquals(0, sut.stats().retainedMessages());
  }

  @Test
  @DisplayName("3.1.3.2: Will Properties (content type, user properties) are passed to"
      + " subscribers; the Will Delay Interval is not")
  void willPropertiesArePassedThrough() {
    TestClient watcher = watcher();
    Properties props = Properties.builder().put(Property.CONTENT_TYPE, "text/plain")
        .put(Property.WILL_DELAY_INTERVAL, 0).userProperty("k", "v").build();
    TestClient dying = connectWithWill(ProtocolVersion.MQTT_5, "dying", true,
        TestClient.will("will/dying", "props", QoS.AT_MOST_ONCE, false, props), 0);

    dying.disconnectAbruptly();

    Publish p = watcher.expectPublish("will/dying", "props");
    assertEquals("text/plain", p.properties().getString(Property.CONTENT_TYPE));
    assertEquals("k", p.properties().userProperties().get(0).name());
    assertNull(p.properties().getLong(Property.WILL_DELAY_INTERVAL));
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  @DisplayName("3.1.2.5 / 5.4.2: a Will on a topic the client may not publish to refuses the"
      + " CONNECT with 0x87 (return code 5)")
  void willTopicNeedsPublishPermission(ProtocolVersion version) {
    sut.stop();
    sut = TestBrokers.started(b -> b.clock(clock).authorizer(new Authorizer() {
      @Override
      public boolean canPublish(ClientIdentity client, String topic) {
        return !topic.startsWith("will/");
      }

      @Override
      public boolean canSubscribe(ClientIdentity client, String filter) {
        return true;
      }
    }));
    TestClient c = new TestClient(sut, version);

    // Exercise
    ConnAck ack = c.connectWith(new Connect(version, "w", true, 60, will("denied"), null, null,
        null));

    // Verify
    assertEquals(ReasonCode.NOT_AUTHORIZED, ack.reasonCode());
    assertEquals(5, ack.reasonCode().v3ConnectReturnCode());
    c.awaitClosed("[MQTT-3.2.2-7]");
  }
}
