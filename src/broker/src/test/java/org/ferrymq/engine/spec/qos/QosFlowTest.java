package org.ferrymq.engine.spec.qos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.PubComp;
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * QoS 1 and 2 flows (MQTT 5 sections 4.3, 4.4 and 4.9; 3.1.1 sections 4.3 and 4.4): packet
 * identifiers, retransmission on reconnect, flow control in both directions and the QoS 2
 * receiver's duplicate handling.
 */
class QosFlowTest {
  private MqttBroker sut = TestBrokers.started();

  @AfterEach
  void stop() {
    sut.stop();
  }

  private static Properties props(Property p, long value) {
    return Properties.builder().put(p, value).build();
  }

  private static Publish qos(QoS qos, String topic, String payload, int packetId) {
    return new Publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false, false,
        packetId, null);
  }

  @Test
  @DisplayName("[MQTT-3.3.4-9] the broker sends at most the client's Receive Maximum of"
      + " unacknowledged QoS 1/2 PUBLISH, each with an unused non-zero packet id [MQTT-2.2.1-4];"
      + " the rest follows as acknowledgements arrive")
  void receiveMaximumLimitsInflightTowardsTheClient() {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true, null,
        props(Property.RECEIVE_MAXIMUM, 3));
    sub.subscribe("t", QoS.EXACTLY_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    // Exercise
    for (int i = 1; i <= 5; i++) {
      pub.publish("t", "m" + i, i % 2 == 0 ? QoS.EXACTLY_ONCE : QoS.AT_LEAST_ONCE, false);
    }

    // Verify
    List<Publish> first = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      first.add(sub.expectPublish("t", "m" + i));
    }
    sub.expectNothing(sut);
    Set<Integer> ids = new HashSet<>();
    first.forEach(p -> ids.add(p.packetId()));
    assertEquals(3, ids.size(), "[MQTT-2.2.1-4] unused packet identifiers");
    assertFalse(ids.contains(0), "[MQTT-2.2.1-4] non-zero");
    sub.send(new PubAck(first.get(0).packetId()));
    sub.expectPublish("t", "m4");
    sub.expectNothing(sut);
    sub.send(new PubRec(first.get(1).packetId()));
    assertEquals(first.get(1).packetId(), sub.expect(PubRel.class).packetId());
    sub.send(new PubComp(first.get(1).packetId()));
    sub.expectPublish("t", "m5");
  }

  @Test
  @DisplayName("[MQTT-4.9.0-3] PINGREQ and SUBSCRIBE are still answered while the send quota is"
      + " zero [MQTT-3.3.4-10]")
  void otherPacketsFlowWhileTheQuotaIsExhausted() {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true, null,
        props(Property.RECEIVE_MAXIMUM, 1));
    sub.subscribe("t", QoS.AT_LEAST_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    pub.publish("t", "m1", QoS.AT_LEAST_ONCE, false);
    pub.publish("t", "m2", QoS.AT_LEAST_ONCE, false);
    sub.expectPublish("t", "m1");

    // Exercise
    assertEquals(List.of(ReasonCode.GRANTED_QOS_1),
        sub.subscribe("u", QoS.AT_LEAST_ONCE).reasonCodes());

    // Verify
    sub.expectNothing(sut);
  }

  @ParameterizedTest
  @EnumSource(value = ProtocolVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
  @DisplayName("[MQTT-4.4.0-1] on resuming a session, unacknowledged PUBLISH are resent with"
      + " DUP=1 [MQTT-3.3.1-1] and PUBREL resent, with the original packet ids and in the"
      + " original order")
  void unacknowledgedDeliveriesAreResentOnReconnect(ProtocolVersion version) {
    Properties expiry = version.isV5() ? props(Property.SESSION_EXPIRY_INTERVAL, 300)
        : Properties.EMPTY;
    TestClient sub = TestClient.connect(sut, version, "sub", false, null, expiry);
    sub.subscribe("t", QoS.EXACTLY_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    pub.publish("t", "a", QoS.AT_LEAST_ONCE, false);
    pub.publish("t", "b", QoS.EXACTLY_ONCE, false);
    pub.publish("t", "c", QoS.EXACTLY_ONCE, false);
    pub.publish("t", "d", QoS.AT_LEAST_ONCE, false);
    Publish a = sub.expectPublish("t", "a");
    Publish b = sub.expectPublish("t", "b");
    Publish c = sub.expectPublish("t", "c");
    Publish d = sub.expectPublish("t", "d");
    assertFalse(a.dup());
    sub.send(new PubRec(b.packetId()));
    assertEquals(b.packetId(), sub.expect(PubRel.class).packetId());

    // Exercise
    sub.disconnectAbruptly();
    TestClient back = new TestClient(sut, version);
    ConnAck ack = back.connectWith(new Connect(version, "sub", false, 60, null, null, null,
        expiry));

    // Verify
    assertTrue(ack.sessionPresent());
    List<Packet> resent = List.of(back.expect(Packet.class), back.expect(Packet.class),
        back.expect(Packet.class), back.expect(Packet.class));
    Publish ra = assertInstanceOf(Publish.class, resent.get(0));
    PubRel rb = assertInstanceOf(PubRel.class, resent.get(1), "[MQTT-4.4.0-1] PUBREL for b");
    Publish rc = assertInstanceOf(Publish.class, resent.get(2));
    Publish rd = assertInstanceOf(Publish.class, resent.get(3));
    assertEquals(List.of(a.packetId(), b.packetId(), c.packetId(), d.packetId()),
        List.of(ra.packetId(), rb.packetId(), rc.packetId(), rd.packetId()), "[MQTT-4.4.0-1]");
    assertEquals(List.of("a", "c", "d"), List.of(TestClient.payloadOf(ra),
        TestClient.payloadOf(rc), TestClient.payloadOf(rd)));
    assertTrue(ra.dup() && rc.dup() && rd.dup(), "[MQTT-3.3.1-1]");
    back.expectNothing(sut);
  }

  @Test
  @DisplayName("[MQTT-4.4.0-2] a PUBREC with an error reason code acknowledges the PUBLISH: it"
      + " is not resent")
  void errorPubRecEndsTheFlow() {
    Properties expiry = props(Property.SESSION_EXPIRY_INTERVAL, 300);
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", false, null, expiry);
    sub.subscribe("t", QoS.EXACTLY_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    pub.publish("t", "refused", QoS.EXACTLY_ONCE, false);
    Publish p = sub.expectPublish("t", "refused");

    // Exercise
    sub.send(new PubRec(p.packetId(), ReasonCode.UNSPECIFIED_ERROR, Properties.EMPTY));
    sub.expectNothing(sut);
    sub.disconnectAbruptly();
    TestClient back = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", false, null,
        expiry);

    // Verify
    back.expectNothing(sut);
  }

  @Test
  @DisplayName("4.3.3: a repeated QoS 2 PUBLISH before PUBREL is acknowledged again but routed"
      + " once; after PUBCOMP the same packet id is a new message")
  void inboundQos2DuplicatesAreRoutedOnce() {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true);
    sub.subscribe("t", QoS.AT_MOST_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "pub", true);
    Publish first = qos(QoS.EXACTLY_ONCE, "t", "once", 9);

    // Exercise
    pub.send(first);
    pub.send(first.withDelivery(9, true));
    assertEquals(9, pub.expect(PubRec.class).packetId());
    assertEquals(9, pub.expect(PubRec.class).packetId(), "acknowledged again");
    pub.send(new PubRel(9));
    assertEquals(9, pub.expect(PubComp.class).packetId());
    pub.send(qos(QoS.EXACTLY_ONCE, "t", "again", 9));
    assertEquals(9, pub.expect(PubRec.class).packetId());

    // Verify
    sub.expectPublish("t", "once");
    sub.expectPublish("t", "again");
    sub.expectNothing(sut);
  }

  @Test
  @DisplayName("3.7.2.1: PUBREL for an unknown packet id is answered with PUBCOMP 0x92 (v5),"
      + " PUBCOMP success for 3.1.1")
  void pubRelForUnknownPacketId() {
    TestClient v5 = TestClient.connect(sut, ProtocolVersion.MQTT_5, "v5", true);
    TestClient v3 = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "v3", true);

    // Exercise
    v5.send(new PubRel(77));
    v3.send(new PubRel(78));

    // Verify
    PubComp c5 = v5.expect(PubComp.class);
    assertEquals(77, c5.packetId(), "[MQTT-2.2.1-5]");
    assertEquals(ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, c5.reasonCode());
    PubComp c3 = v3.expect(PubComp.class);
    assertEquals(78, c3.packetId());
    assertFalse(v5.isClosed());
  }

  @Test
  @DisplayName("3.3.4 / 4.9: more unreleased QoS 2 PUBLISH than the broker's Receive Maximum:"
      + " DISCONNECT 0x93")
  void exceedingTheBrokersReceiveMaximum() {
    sut.stop();
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.receive-maximum", "2")));
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    // Exercise
    for (int id = 1; id <= 3; id++) {
      pub.send(qos(QoS.EXACTLY_ONCE, "t", "m" + id, id));
    }

    // Verify
    assertEquals(1, pub.expect(PubRec.class).packetId());
    assertEquals(2, pub.expect(PubRec.class).packetId());
    pub.expectDisconnect(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED, "4.9 flow control");
  }

  @Test
  @DisplayName("[MQTT-3.8.4-8] delivery QoS is the minimum of the published QoS and the granted"
      + " QoS; QoS 0 PUBLISH carry DUP=0 [MQTT-3.3.1-2]")
  void deliveryQosIsTheMinimum() {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true);
    sub.subscribe("t", QoS.AT_LEAST_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    pub.publish("t", "two", QoS.EXACTLY_ONCE, false);
    pub.publish("t", "zero", QoS.AT_MOST_ONCE, false);

    assertEquals(QoS.AT_LEAST_ONCE, sub.expectPublish("t", "two").qos());
    Publish zero = sub.expectPublish("t", "zero");
    assertEquals(QoS.AT_MOST_ONCE, zero.qos());
    assertFalse(zero.dup());
  }
}
