package org.ferrymq.engine.spec.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The server capabilities CONNACK advertises (MQTT 5 3.2.2.3) and the limits behind them:
 * connection count, Maximum QoS, Retain Available, wildcard, shared and subscription-identifier
 * support.
 */
class ConnAckCapabilitiesTest {
  private MqttBroker sut;

  @AfterEach
  void stop() {
    sut.stop();
  }

  private static ConnAck connAck(MqttBroker broker, String clientId) {
    return new TestClient(broker, ProtocolVersion.MQTT_5).connectWith(new Connect(
        ProtocolVersion.MQTT_5, clientId, true, 60, null, null, null, null));
  }

  @Test
  @DisplayName("3.2.2.3: defaults advertise Receive Maximum, Maximum Packet Size and Topic Alias"
      + " Maximum, and leave out the capabilities that are available")
  void defaultCapabilities() {
    sut = TestBrokers.started();

    // Exercise
    Properties p = connAck(sut, "caps").properties();

    // Verify
    assertEquals(100, p.getInt(Property.RECEIVE_MAXIMUM), "3.2.2.3.3");
    assertEquals(1_048_576L, p.getLong(Property.MAXIMUM_PACKET_SIZE), "3.2.2.3.6");
    assertEquals(32, p.getInt(Property.TOPIC_ALIAS_MAXIMUM), "3.2.2.3.8");
    assertNull(p.getInt(Property.MAXIMUM_QOS), "absent means QoS 2 [MQTT-3.2.2-9]");
    assertNull(p.getInt(Property.RETAIN_AVAILABLE), "absent means available");
    assertNull(p.getInt(Property.WILDCARD_SUBSCRIPTION_AVAILABLE));
    assertNull(p.getInt(Property.SUBSCRIPTION_IDENTIFIER_AVAILABLE));
    assertNull(p.getInt(Property.SHARED_SUBSCRIPTION_AVAILABLE));
  }

  @Test
  @DisplayName("3.2.2.3: capabilities disabled by configuration are advertised as 0, and"
      + " configured limits are reported")
  void disabledCapabilitiesAreAdvertised() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config(
        "mqtt.maximum-qos", "1", "mqtt.retain-available", "false",
        "mqtt.wildcard-subscriptions", "false", "mqtt.shared-subscriptions", "false",
        "mqtt.subscription-identifiers", "false", "mqtt.topic-alias-maximum", "5",
        "mqtt.receive-maximum", "7", "mqtt.max-packet-size", "2048")));

    // Exercise
    Properties p = connAck(sut, "caps").properties();

    // Verify
    assertEquals(1, p.getInt(Property.MAXIMUM_QOS), "[MQTT-3.2.2-9]");
    assertEquals(0, p.getInt(Property.RETAIN_AVAILABLE), "3.2.2.3.5");
    assertEquals(0, p.getInt(Property.WILDCARD_SUBSCRIPTION_AVAILABLE), "3.2.2.3.11");
    assertEquals(0, p.getInt(Property.SUBSCRIPTION_IDENTIFIER_AVAILABLE), "3.2.2.3.12");
    assertEquals(0, p.getInt(Property.SHARED_SUBSCRIPTION_AVAILABLE), "3.2.2.3.13");
    assertEquals(5, p.getInt(Property.TOPIC_ALIAS_MAXIMUM));
    assertEquals(7, p.getInt(Property.RECEIVE_MAXIMUM));
    assertEquals(2048L, p.getLong(Property.MAXIMUM_PACKET_SIZE));
  }

  @Test
  @DisplayName("3.9.3: with wildcard, shared and identifier support off, SUBACK refuses with"
      + " 0xA2, 0x9E and 0xA1")
  void disabledSubscriptionFeaturesAreRefusedInSubAck() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config(
        "mqtt.wildcard-subscriptions", "false", "mqtt.shared-subscriptions", "false",
        "mqtt.subscription-identifiers", "false")));
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true);

    // Exercise
    List<ReasonCode> plain = c.subscribe(Properties.EMPTY,
        new Subscription("a/+", QoS.AT_LEAST_ONCE),
        new Subscription("$share/g/a", QoS.AT_LEAST_ONCE),
        new Subscription("a/b", QoS.AT_LEAST_ONCE)).reasonCodes();
    List<ReasonCode> withId = c.subscribe(
        Properties.builder().put(Property.SUBSCRIPTION_IDENTIFIER, 3).build(),
        new Subscription("a/c", QoS.AT_LEAST_ONCE)).reasonCodes();

    // Verify
    assertEquals(List.of(ReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED,
        ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED, ReasonCode.GRANTED_QOS_1), plain);
    assertEquals(List.of(ReasonCode.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED), withId);
  }

  @Test
  @DisplayName("[MQTT-3.2.2-11] PUBLISH above Maximum QoS: DISCONNECT 0x9B; subscriptions are"
      + " granted at most the maximum")
  void qosAboveMaximumIsAProtocolViolation() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.maximum-qos", "1")));
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "q", true);
    assertEquals(List.of(ReasonCode.GRANTED_QOS_1),
        c.subscribe("t", QoS.EXACTLY_ONCE).reasonCodes(), "3.2.2.3.4");

    // Exercise
    c.publish("t", "too high", QoS.EXACTLY_ONCE, false);

    // Verify
    c.expectDisconnect(ReasonCode.QOS_NOT_SUPPORTED, "[MQTT-3.2.2-11]");
  }

  @Test
  @DisplayName("[MQTT-3.2.2-12] a Will QoS above Maximum QoS is refused with CONNACK 0x9B")
  void willQosAboveMaximumIsRefused() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.maximum-qos", "0")));
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_5);

    ConnAck ack = c.connectWith(new Connect(ProtocolVersion.MQTT_5, "w", true, 60,
        TestClient.will("w/t", "x", QoS.AT_LEAST_ONCE, false, null), null, null, null));

    assertEquals(ReasonCode.QOS_NOT_SUPPORTED, ack.reasonCode());
    c.awaitClosed("[MQTT-3.2.2-7]");
  }

  @Test
  @DisplayName("[MQTT-3.2.2-14] PUBLISH with RETAIN when retain is unavailable: DISCONNECT 0x9A;"
      + " a retained Will is refused [MQTT-3.2.2-13]")
  void retainUnavailable() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.retain-available",
        "false")));
    TestClient refused = new TestClient(sut, ProtocolVersion.MQTT_5);
    assertEquals(ReasonCode.RETAIN_NOT_SUPPORTED, refused.connectWith(new Connect(
        ProtocolVersion.MQTT_5, "w", true, 60,
        TestClient.will("w/t", "x", QoS.AT_MOST_ONCE, true, null), null, null, null))
        .reasonCode(), "[MQTT-3.2.2-13]");
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "r", true);

    // Exercise
    c.publish("t", "keep me", QoS.AT_MOST_ONCE, true);

    // Verify
    c.expectDisconnect(ReasonCode.RETAIN_NOT_SUPPORTED, "[MQTT-3.2.2-14]");
    assertEquals(0, sut.stats().retainedMessages());
  }

  @Test
  @DisplayName("3.2.2.2: beyond mqtt.max-connections a v5 CONNECT gets 0x89 Server busy and a"
      + " 3.1.1 CONNECT return code 3")
  void maxConnections() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.max-connections", "1")));
    TestClient.connect(sut, ProtocolVersion.MQTT_5, "first", true);

    // Exercise
    TestClient v5 = new TestClient(sut, ProtocolVersion.MQTT_5);
    ConnAck v5Ack = v5.connectWith(new Connect(ProtocolVersion.MQTT_5, "second", true, 60, null,
        null, null, null));
    TestClient v3 = new TestClient(sut, ProtocolVersion.MQTT_3_1_1);
    ConnAck v3Ack = v3.connectWith(new Connect(ProtocolVersion.MQTT_3_1_1, "third", true, 60,
        null, null, null, null));

    // Verify
    assertEquals(ReasonCode.SERVER_BUSY, v5Ack.reasonCode());
    assertFalse(v5Ack.sessionPresent(), "[MQTT-3.2.2-6]");
    v5.awaitClosed("[MQTT-3.2.2-7]");
    assertEquals(3, v3Ack.reasonCode().v3ConnectReturnCode(), "server unavailable");
    v3.awaitClosed("[MQTT-3.2.2-5]");
    assertEquals(1, sut.stats().clientsConnected());
  }
}
