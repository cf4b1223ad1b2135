package org.ferrymq.engine.spec.v5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Topic aliases in both directions (MQTT 5 3.3.2.3.4, 3.1.2.11.5 and 3.2.2.3.8). */
class TopicAliasTest {
  private MqttBroker sut = TestBrokers.started(b -> b.config(TestBrokers.config(
      "mqtt.topic-alias-maximum", "4")));

  @AfterEach
  void stop() {
    sut.stop();
  }

  private static Publish aliased(String topic, int alias, String payload) {
    return new Publish(topic, payload.getBytes(StandardCharsets.UTF_8), QoS.AT_MOST_ONCE, false,
        false, 0, Properties.builder().put(Property.TOPIC_ALIAS, alias).build());
  }

  @Test
  @DisplayName("[MQTT-3.3.2-12] the broker accepts aliases 1..its maximum: a topic with an alias"
      + " sets it, an empty topic with the alias uses it")
  void inboundAliases() {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true);
    sub.subscribe("alias/#", QoS.AT_MOST_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    // Exercise
    pub.send(aliased("alias/long/topic", 4, "first"));
    pub.send(aliased("", 4, "second"));
    pub.send(aliased("alias/other", 4, "remapped"));
    pub.send(aliased("", 4, "third"));

    // Verify
    Publish first = sub.expectPublish("alias/long/topic", "first");
    assertNull(first.properties().getInt(Property.TOPIC_ALIAS),
        "the publisher's alias is not forwarded");
    sub.expectPublish("alias/long/topic", "second");
    sub.expectPublish("alias/other", "remapped");
    sub.expectPublish("alias/other", "third");
  }

  @Test
  @DisplayName("[MQTT-3.3.2-9] a Topic Alias above the broker's Topic Alias Maximum: DISCONNECT"
      + " 0x94")
  void aliasAboveMaximum() {
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    pub.send(aliased("t", 5, "x"));

    pub.expectDisconnect(ReasonCode.TOPIC_ALIAS_INVALID, "[MQTT-3.3.2-9]");
  }

  @Test
  @DisplayName("[MQTT-3.3.2-8] Topic Alias 0 closes the connection (0x94 or 0x81)")
  void aliasZero() {
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    pub.sendBytes(
        0x30, 8,                   // PUBLISH QoS 0, remaining length
        0x00, 0x01, 't',           // topic name
        0x03,                      // properties length
        0x23, 0x00, 0x00,          // Topic Alias 0
        'x');                      // payload

    ReasonCode code = pub.expect(org.ferrymq.packet.Disconnect.class).reasonCode();
    assertFalse(code != ReasonCode.TOPIC_ALIAS_INVALID && code != ReasonCode.MALFORMED_PACKET
        && code != ReasonCode.PROTOCOL_ERROR, "[MQTT-3.3.2-8] got " + code);
    pub.awaitClosed("[MQTT-3.3.2-8]");
  }

  @Test
  @DisplayName("3.3.2.3.4: an empty topic with an alias that was never set is a Protocol Error:"
      + " DISCONNECT 0x82")
  void unknownAlias() {
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    pub.send(aliased("", 2, "x"));

    pub.expectDisconnect(ReasonCode.PROTOCOL_ERROR, "3.3.2.3.4");
  }

  @Test
  @DisplayName("[MQTT-3.3.2-7] aliases do not carry over to a new network connection")
  void aliasesAreNotCarriedOver() {
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    pub.send(aliased("t", 1, "x"));
    pub.disconnectAbruptly();
    TestClient again = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", false);

    again.send(aliased("", 1, "y"));

    again.expectDisconnect(ReasonCode.PROTOCOL_ERROR, "[MQTT-3.3.2-7]");
  }

  @Test
  @DisplayName("[MQTT-3.1.2-26] outbound aliases are assigned up to min(client, broker) maximum:"
      + " topic plus alias first, then empty topic plus alias; beyond that, the full topic")
  void outboundAliases() {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true, null,
        Properties.builder().put(Property.TOPIC_ALIAS_MAXIMUM, 2).build());
    sub.subscribe("o/#", QoS.AT_MOST_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    // Exercise
    for (String topic : new String[] {"o/1", "o/1", "o/2", "o/3", "o/2"}) {
      pub.publish(topic, topic, QoS.AT_MOST_ONCE, false);
    }

    // Verify
    Publish p1 = sub.expectPublish("o/1", "o/1");
    assertEquals(1, p1.properties().getInt(Property.TOPIC_ALIAS));
    Publish p1again = sub.expectPublish("", "o/1");
    assertEquals(1, p1again.properties().getInt(Property.TOPIC_ALIAS));
    assertEquals(2, sub.expectPublish("o/2", "o/2").properties().getInt(Property.TOPIC_ALIAS));
    assertNull(sub.expectPublish("o/3", "o/3").properties().getInt(Property.TOPIC_ALIAS),
        "[MQTT-3.1.2-26] no alias above the client's maximum");
    assertEquals(2, sub.expectPublish("", "o/2").properties().getInt(Property.TOPIC_ALIAS));
  }

  @Test
  @DisplayName("[MQTT-3.1.2-27] no aliases are sent to a client that set no Topic Alias Maximum")
  void noOutboundAliasesWithoutClientMaximum() {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true);
    sub.subscribe("o/#", QoS.AT_MOST_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    pub.publish("o/1", "a", QoS.AT_MOST_ONCE, false);
    pub.publish("o/1", "b", QoS.AT_MOST_ONCE, false);

    assertNull(sub.expectPublish("o/1", "a").properties().getInt(Property.TOPIC_ALIAS));
    assertNull(sub.expectPublish("o/1", "b").properties().getInt(Property.TOPIC_ALIAS));
  }
}
