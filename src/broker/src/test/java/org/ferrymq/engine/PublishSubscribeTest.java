package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.PubComp;
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.SubAck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Basic routing across QoS levels and protocol versions (spec 4.3, 4.6). */
class PublishSubscribeTest {
  private final MqttBroker sut = TestBrokers.started();

  @AfterEach
  void stop() {
    sut.stop();
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  void qos0MessageReachesSubscriberOfEveryVersion(ProtocolVersion version) {
    TestClient sub = TestClient.connect(sut, version, "sub", true);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    assertEquals(List.of(ReasonCode.SUCCESS), sub.subscribe("a/+", QoS.AT_MOST_ONCE).reasonCodes());

    // Exercise
    pub.publish("a/b", "hello", QoS.AT_MOST_ONCE, false);

    // Verify
    Publish p = sub.expectPublish("a/b", "hello");
    assertEquals(QoS.AT_MOST_ONCE, p.qos());
  }

  @Test
  void qos1FlowAcknowledgesPublisherAndDeliversWithPacketId() {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "sub", true);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "pub", true);
    sub.subscribe("t", QoS.AT_LEAST_ONCE);

    // Exercise
    PubAck ack = pub.publishAcked("t", "m1");

    // Verify
    assertEquals(ReasonCode.SUCCESS, ack.reasonCode());
    Publish p = sub.expectPublish("t", "m1");
    assertEquals(QoS.AT_LEAST_ONCE, p.qos());
    assertTrue(p.packetId() > 0);
    sub.send(new PubAck(p.packetId()));
  }

  @Test
  void qos2FlowDeliversExactlyOnceEvenWhenPublisherRepeatsPublish() {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    sub.subscribe("t", QoS.EXACTLY_ONCE);
    Publish original = new Publish("t", "x".getBytes(), QoS.EXACTLY_ONCE, false, false, 7, null);

    // Exercise: the publisher resends the PUBLISH with DUP before PUBREL [MQTT-4.3.3-?]
    pub.send(original);
    assertEquals(7, pub.expect(PubRec.class).packetId());
    pub.send(original.withDelivery(7, true));
    assertEquals(7, pub.expect(PubRec.class).packetId());
    pub.send(new PubRel(7));
    assertEquals(7, pub.expect(PubComp.class).packetId());

    // Verify: one delivery, which completes the QoS 2 flow towards the subscriber
    Publish p = sub.expectPublish("t", "x");
    sub.send(new PubRec(p.packetId()));
    assertEquals(p.packetId(), sub.expect(PubRel.class).packetId());
    sub.send(new PubComp(p.packetId()));
    sub.expectNothing(sut);
  }

  @Test
  void qosIsDowngradedToTheSubscriptionMaximum() {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    sub.subscribe("t", QoS.AT_LEAST_ONCE);

    pub.publish("t", "x", QoS.EXACTLY_ONCE, false);

    assertEquals(QoS.AT_LEAST_ONCE, sub.expectPublish("t", "x").qos());
  }

  @Test
  void overlappingSubscriptionsDeliverOnceAtHighestQos() {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "sub", true);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "pub", true);
    sub.subscribe("a/#", QoS.AT_MOST_ONCE);
    sub.subscribe("a/+", QoS.AT_LEAST_ONCE);

    pub.publish("a/b", "x", QoS.AT_LEAST_ONCE, false);

    // [MQTT-3.3.5-1]
    assertEquals(QoS.AT_LEAST_ONCE, sub.expectPublish("a/b", "x").qos());
    sub.expectNothing(sut);
  }

  @Test
  void secondConnectIsAProtocolViolation() {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "c", true);

    c.send(new Connect(ProtocolVersion.MQTT_3_1_1, "c", true, 60, null, null, null, null));

    // [MQTT-3.1.0-2]
    TestBrokers.drainLanes(sut);
    assertTrue(c.isClosed());
  }

  @Test
  void connAckReportsNoSessionForCleanStart() {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_5);
    c.send(new Connect(ProtocolVersion.MQTT_5, "", true, 30, null, null, null, null));
    ConnAck ack = c.expect(ConnAck.class);
    assertFalse(ack.sessionPresent());
    assertTrue(ack.properties().getString(
        org.ferrymq.packet.Property.ASSIGNED_CLIENT_IDENTIFIER).startsWith("ferrymq-"));
  }
}
