package org.ferrymq.engine.spec.retain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestBrokers.ManualClock;
import org.ferrymq.engine.TestClient;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.packet.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Retained messages (MQTT 5 3.3.1.3 and 3.8.3.1; 3.1.1 3.3.1.3): set, replace, delete, delivery
 * on subscribe per Retain Handling, Retain As Published, shared subscriptions and expiry.
 */
class RetainedTest {
  private final ManualClock clock = new ManualClock();
  private final MqttBroker sut = TestBrokers.started(b -> b.clock(clock));
  private final TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

  @AfterEach
  void stop() {
    sut.stop();
  }

  private static Subscription sub(String filter, RetainHandling handling, boolean rap) {
    return new Subscription(filter, QoS.AT_LEAST_ONCE, false, rap, handling);
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  @DisplayName("[MQTT-3.3.1-5] a retained message is stored and sent to a new subscriber with"
      + " RETAIN=1 (3.1.1: [MQTT-3.3.1-8])")
  void retainedMessageIsDeliveredOnSubscribe(ProtocolVersion version) {
    pub.publish("r/a", "stored", QoS.AT_LEAST_ONCE, true);
    TestBrokers.drainLanes(sut);
    TestClient late = TestClient.connect(sut, version, "late", true);

    // Exercise
    late.subscribe("r/+", QoS.AT_LEAST_ONCE);

    // Verify
    Publish p = late.expectPublish("r/a", "stored");
    assertTrue(p.retain());
    assertEquals(QoS.AT_LEAST_ONCE, p.qos(), "stored with its QoS [MQTT-3.3.1-5]");
    assertEquals(1, sut.stats().retainedMessages());
  }

  @Test
  @DisplayName("[MQTT-3.3.1-5] a new retained message replaces the old one for its topic")
  void retainedMessageIsReplaced() {
    pub.publish("r/a", "old", QoS.AT_MOST_ONCE, true);
    pub.publish("r/a", "new", QoS.AT_MOST_ONCE, true);
    TestBrokers.drainLanes(sut);
    TestClient late = TestClient.connect(sut, ProtocolVersion.MQTT_5, "late", true);

    late.subscribe("r/a", QoS.AT_MOST_ONCE);

    late.expectPublish("r/a", "new");
    late.expectNothing(sut);
  }

  @Test
  @DisplayName("[MQTT-3.3.1-6] an empty retained payload deletes the retained message and is"
      + " not stored [MQTT-3.3.1-7]; it is still delivered to current subscribers")
  void emptyPayloadDeletes() {
    TestClient current = TestClient.connect(sut, ProtocolVersion.MQTT_5, "current", true);
    current.subscribe("r/a", QoS.AT_MOST_ONCE);
    pub.publish("r/a", "stored", QoS.AT_MOST_ONCE, true);
    current.expectPublish("r/a", "stored");

    // Exercise
    pub.publish("r/a", "", QoS.AT_MOST_ONCE, true);

    // Verify
    current.expectPublish("r/a", "");
    assertEquals(0, sut.stats().retainedMessages());
    TestClient late = TestClient.connect(sut, ProtocolVersion.MQTT_5, "late", true);
    late.subscribe("r/#", QoS.AT_MOST_ONCE);
    late.expectNothing(sut);
  }

  @Test
  @DisplayName("[MQTT-3.3.1-8] a PUBLISH with RETAIN=0 neither stores nor replaces the retained"
      + " message")
  void nonRetainedPublishLeavesTheRetainedMessage() {
    pub.publish("r/a", "stored", QoS.AT_MOST_ONCE, true);
    pub.publish("r/a", "transient", QoS.AT_MOST_ONCE, false);
    TestBrokers.drainLanes(sut);
    TestClient late = TestClient.connect(sut, ProtocolVersion.MQTT_5, "late", true);

    late.subscribe("r/a", QoS.AT_MOST_ONCE);

    late.expectPublish("r/a", "stored");
    late.expectNothing(sut);
  }

  @Test
  @DisplayName("[MQTT-3.3.1-9] Retain Handling 0 sends retained messages on every subscribe;"
      + " [MQTT-3.3.1-10] 1 only for a new subscription; [MQTT-3.3.1-11] 2 never")
  void retainHandling() {
    pub.publish("r/a", "stored", QoS.AT_MOST_ONCE, true);
    TestBrokers.drainLanes(sut);
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "c", true);

    // Exercise and verify: handling 0, twice
    c.subscribe(Properties.EMPTY, sub("r/a", RetainHandling.SEND_ON_SUBSCRIBE, false));
    c.expectPublish("r/a", "stored");
    c.subscribe(Properties.EMPTY, sub("r/a", RetainHandling.SEND_ON_SUBSCRIBE, false));
    c.expectPublish("r/a", "stored");
    // handling 1: the subscription exists now, so nothing; on a new filter it is sent
    c.subscribe(Properties.EMPTY, sub("r/a", RetainHandling.SEND_IF_NEW_SUBSCRIPTION, false));
    c.expectNothing(sut);
    c.subscribe(Properties.EMPTY, sub("r/+", RetainHandling.SEND_IF_NEW_SUBSCRIPTION, false));
    c.expectPublish("r/a", "stored");
    // handling 2
    c.subscribe(Properties.EMPTY, sub("r/#", RetainHandling.DO_NOT_SEND, false));
    c.expectNothing(sut);
  }

  @Test
  @DisplayName("[MQTT-3.3.1-12] Retain As Published 0 clears RETAIN on live messages;"
      + " [MQTT-3.3.1-13] 1 keeps the publisher's flag")
  void retainAsPublished() {
    TestClient cleared = TestClient.connect(sut, ProtocolVersion.MQTT_5, "cleared", true);
    cleared.subscribe(Properties.EMPTY, sub("r/a", RetainHandling.DO_NOT_SEND, false));
    TestClient kept = TestClient.connect(sut, ProtocolVersion.MQTT_5, "kept", true);
    kept.subscribe(Properties.EMPTY, sub("r/a", RetainHandling.DO_NOT_SEND, true));

    // Exercise
    pub.publish("r/a", "live", QoS.AT_MOST_ONCE, true);

    // Verify
    assertFalse(cleared.expectPublish("r/a", "live").retain(), "[MQTT-3.3.1-12]");
    assertTrue(kept.expectPublish("r/a", "live").retain(), "[MQTT-3.3.1-13]");
  }

  @Test
  @DisplayName("3.1.1 [MQTT-3.3.1-9]: live messages go to existing subscribers with RETAIN=0")
  void v311LiveMessagesHaveRetainCleared() {
    TestClient v3 = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "v3", true);
    v3.subscribe("r/a", QoS.AT_MOST_ONCE);

    pub.publish("r/a", "live", QoS.AT_MOST_ONCE, true);

    assertFalse(v3.expectPublish("r/a", "live").retain());
  }

  @Test
  @DisplayName("4.8.2: retained messages are not sent when subscribing to a shared subscription")
  void notSentForSharedSubscriptions() {
    pub.publish("r/a", "stored", QoS.AT_MOST_ONCE, true);
    TestBrokers.drainLanes(sut);
    TestClient member = TestClient.connect(sut, ProtocolVersion.MQTT_5, "member", true);

    member.subscribe("$share/g/r/a", QoS.AT_MOST_ONCE);

    member.expectNothing(sut);
  }

  @Test
  @DisplayName("[MQTT-3.3.2-5] a retained message past its Message Expiry Interval is no longer"
      + " sent; before that it carries the remaining interval [MQTT-3.3.2-6]")
  void retainedMessageExpires() {
    pub.publish("r/a", "short-lived", QoS.AT_MOST_ONCE, true,
        Properties.builder().put(Property.MESSAGE_EXPIRY_INTERVAL, 10).build());
    TestBrokers.drainLanes(sut);
    clock.advance(Duration.ofSeconds(4));
    TestClient early = TestClient.connect(sut, ProtocolVersion.MQTT_5, "early", true);
    early.subscribe("r/a", QoS.AT_MOST_ONCE);
    assertEquals(6L, early.expectPublish("r/a", "short-lived").properties()
        .getLong(Property.MESSAGE_EXPIRY_INTERVAL), "[MQTT-3.3.2-6]");

    // Exercise
    clock.advance(Duration.ofSeconds(7));
    TestClient late = TestClient.connect(sut, ProtocolVersion.MQTT_5, "late", true);
    late.subscribe("r/a", QoS.AT_MOST_ONCE);

    // Verify
    late.expectNothing(sut);
    assertEquals(0, sut.stats().retainedMessages());
  }
}
