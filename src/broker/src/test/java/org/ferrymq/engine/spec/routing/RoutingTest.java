package org.ferrymq.engine.spec.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.ferrymq.message.Message;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.packet.Subscription;
import org.ferrymq.packet.UnsubAck;
import org.ferrymq.packet.Unsubscribe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Topic matching and delivery options (MQTT 5 4.7, 3.8.3 and 3.3.4; 3.1.1 4.7): wildcards,
 * {@code $} topics, No Local, Subscription Identifiers, UNSUBSCRIBE.
 */
class RoutingTest {
  private final MqttBroker sut = TestBrokers.started();
  private final TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

  @AfterEach
  void stop() {
    sut.stop();
  }

  private static Properties subscriptionId(int id) {
    return Properties.builder().put(Property.SUBSCRIPTION_IDENTIFIER, id).build();
  }

  @Test
  @DisplayName("[MQTT-4.7.1-2] '#' matches the parent and every level below; [MQTT-4.7.1-3] '+'"
      + " matches exactly one level")
  void wildcards() {
    TestClient multi = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "multi", true);
    multi.subscribe("sport/#", QoS.AT_MOST_ONCE);
    TestClient single = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "single", true);
    single.subscribe("sport/+/player1", QoS.AT_MOST_ONCE);

    // Exercise
    pub.publish("sport", "parent", QoS.AT_MOST_ONCE, false);
    pub.publish("sport/tennis/player1", "one level", QoS.AT_MOST_ONCE, false);
    pub.publish("sport/tennis/doubles/player1", "two levels", QoS.AT_MOST_ONCE, false);
    pub.publish("sports/tennis/player1", "other root", QoS.AT_MOST_ONCE, false);

    // Verify
    multi.expectPublish("sport", "parent");
    multi.expectPublish("sport/tennis/player1", "one level");
    multi.expectPublish("sport/tennis/doubles/player1", "two levels");
    multi.expectNothing(sut);
    single.expectPublish("sport/tennis/player1", "one level");
    single.expectNothing(sut);
  }

  @Test
  @DisplayName("[MQTT-4.7.2-1] topics starting with $ are not matched by filters starting with"
      + " '#' or '+'; '$SYS/#' matches them")
  void dollarTopicsAreNotMatchedByLeadingWildcards() {
    TestClient all = TestClient.connect(sut, ProtocolVersion.MQTT_5, "all", true);
    all.subscribe("#", QoS.AT_MOST_ONCE);
    TestClient plus = TestClient.connect(sut, ProtocolVersion.MQTT_5, "plus", true);
    plus.subscribe("+/monitor/Clients", QoS.AT_MOST_ONCE);
    TestClient sys = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sys", true);
    sys.subscribe("$SYS/#", QoS.AT_MOST_ONCE);

    // Exercise: only the server publishes to $ topics
    sut.publish(Message.of("$SYS/monitor/Clients", "7".getBytes(StandardCharsets.UTF_8),
        QoS.AT_MOST_ONCE, false));

    // Verify
    sys.expectPublish("$SYS/monitor/Clients", "7");
    all.expectNothing(sut);
    plus.expectNothing(sut);
  }

  @Test
  @DisplayName("4.7.2: a client's PUBLISH to a $ topic is not routed (v5: PUBACK 0x87)")
  void clientsCannotPublishToDollarTopics() {
    TestClient sys = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sys", true);
    sys.subscribe("$SYS/#", QoS.AT_MOST_ONCE);

    assertEquals(ReasonCode.NOT_AUTHORIZED, pub.publishAcked("$SYS/fake", "x").reasonCode());

    sys.expectNothing(sut);
  }

  @Test
  @DisplayName("[MQTT-3.8.3-3] No Local: the publisher's own subscription does not receive its"
      + " message; other subscribers do")
  void noLocal() {
    TestClient self = TestClient.connect(sut, ProtocolVersion.MQTT_5, "self", true);
    self.subscribe(Properties.EMPTY, new Subscription("chat", QoS.AT_MOST_ONCE, true, false,
        RetainHandling.SEND_ON_SUBSCRIBE));
    TestClient other = TestClient.connect(sut, ProtocolVersion.MQTT_5, "other", true);
    other.subscribe(Properties.EMPTY, new Subscription("chat", QoS.AT_MOST_ONCE, true, false,
        RetainHandling.SEND_ON_SUBSCRIBE));

    // Exercise
    self.publish("chat", "hello", QoS.AT_MOST_ONCE, false);

    // Verify
    other.expectPublish("chat", "hello");
    self.expectNothing(sut);
  }

  @Test
  @DisplayName("[MQTT-3.8.3-4] No Local on a shared subscription is a Protocol Error:"
      + " DISCONNECT 0x82")
  void noLocalOnSharedSubscriptionIsAProtocolError() {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "c", true);

    c.send(new org.ferrymq.packet.Subscribe(1, List.of(new Subscription("$share/g/t",
        QoS.AT_MOST_ONCE, true, false, RetainHandling.SEND_ON_SUBSCRIBE)), Properties.EMPTY));

    c.expectDisconnect(ReasonCode.PROTOCOL_ERROR, "[MQTT-3.8.3-4]");
  }

  @Test
  @DisplayName("[MQTT-3.3.4-3] overlapping subscriptions deliver one PUBLISH carrying every"
      + " matching Subscription Identifier [MQTT-3.3.4-4] at the highest QoS [MQTT-3.3.4-2]")
  void subscriptionIdentifiersOfOverlappingSubscriptions() {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "c", true);
    c.subscribe(subscriptionId(1), new Subscription("a/#", QoS.AT_MOST_ONCE));
    c.subscribe(subscriptionId(2), new Subscription("a/+", QoS.AT_LEAST_ONCE));
    c.subscribe(Properties.EMPTY, new Subscription("+/b", QoS.AT_MOST_ONCE));

    // Exercise
    pub.publish("a/b", "x", QoS.AT_LEAST_ONCE, false);
    pub.publish("a/c/d", "y", QoS.AT_LEAST_ONCE, false);

    // Verify
    Publish both = c.expectPublish("a/b", "x");
    assertEquals(QoS.AT_LEAST_ONCE, both.qos(), "[MQTT-3.3.4-2]");
    assertEquals(Set.of(1, 2), new HashSet<>(both.properties().subscriptionIdentifiers()));
    Publish one = c.expectPublish("a/c/d", "y");
    assertEquals(List.of(1), one.properties().subscriptionIdentifiers(), "[MQTT-3.3.4-3]");
    c.expectNothing(sut);
  }

  @Test
  @DisplayName("[MQTT-3.8.4-3] a SUBSCRIBE with an existing filter replaces the subscription,"
      + " including its Subscription Identifier")
  void resubscribeReplaces() {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "c", true);
    c.subscribe(subscriptionId(1), new Subscription("t", QoS.AT_MOST_ONCE));
    c.subscribe(subscriptionId(5), new Subscription("t", QoS.AT_LEAST_ONCE));

    pub.publish("t", "x", QoS.AT_LEAST_ONCE, false);

    Publish p = c.expectPublish("t", "x");
    assertEquals(QoS.AT_LEAST_ONCE, p.qos());
    assertEquals(List.of(5), p.properties().subscriptionIdentifiers());
    c.expectNothing(sut);
    assertEquals(1, sut.stats().subscriptions(), "[MQTT-3.8.4-3] replaced, not added");
  }

  @Test
  @DisplayName("[MQTT-3.10.4-1] UNSUBSCRIBE removes the exact filter and stops delivery"
      + " [MQTT-3.10.4-2]; UNSUBACK has one code per filter, 0x11 when none existed"
      + " [MQTT-3.11.3-1]")
  void unsubscribe() {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "c", true);
    c.subscribe("u/+", QoS.AT_MOST_ONCE);

    // Exercise
    c.send(new Unsubscribe(42, List.of("u/+", "u/none"), Properties.EMPTY));

    // Verify
    UnsubAck ack = c.expect(UnsubAck.class);
    assertEquals(42, ack.packetId(), "[MQTT-3.10.4-5]");
    assertEquals(List.of(ReasonCode.SUCCESS, ReasonCode.NO_SUBSCRIPTION_EXISTED),
        ack.reasonCodes());
    pub.publish("u/x", "after", QoS.AT_MOST_ONCE, false);
    c.expectNothing(sut);
    assertEquals(0, sut.stats().subscriptions());
  }
}
