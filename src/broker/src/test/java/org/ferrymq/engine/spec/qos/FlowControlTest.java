package org.ferrymq.engine.spec.qos;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.ferrymq.engine.DropReason;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestBrokers.ManualClock;
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

/**
 * Flow control: an acknowledged QoS 1/2 message reaches every online subscriber, however slow;
 * publishers are slowed instead (their acknowledgements wait), QoS 0 is what gives way, a stuck
 * subscriber is disconnected after {@code mqtt.slow-subscriber-timeout}, and a client that does
 * not read is not read from.
 */
class FlowControlTest {
  private MqttBroker sut;

  @AfterEach
  void stop() {
    if (sut != null) {
      sut.stop();
    }
  }

  @Test
  @DisplayName("past the queue bound of an online subscriber, PUBACKs wait instead of messages "
      + "being dropped; the subscriber gets every message and the PUBACKs follow its draining")
  void acknowledgementsWaitForASlowSubscriber() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.queue.max-messages", "4")));
    TestClient slow = stalledSubscriber(ProtocolVersion.MQTT_5);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    // Exercise: 10 QoS 1 publishes without waiting (within the Receive Maximum of 100)
    for (int i = 1; i <= 10; i++) {
      pub.publish("q", "m" + i, QoS.AT_LEAST_ONCE, false);
    }

    // Verify: the first three are admitted below the bound of 4, the rest wait
    for (int i = 1; i <= 3; i++) {
      assertEquals(ReasonCode.SUCCESS, pub.expect(PubAck.class).reasonCode());
    }
    pub.expectNothing(sut);
    assertEquals(1, sut.flowStats().publishersThrottled(), "the publisher counts as throttled");

    slow.transport.setWritable(true);
    slow.inbound.onWritable();
    List<String> got = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      Publish p = slow.expect(Publish.class);
      got.add(TestClient.payloadOf(p));
      slow.puback(p);
    }
    assertEquals(10, pub.drainAll(PubAck.class).size() + 3, "every PUBACK arrives");
    assertEquals(List.of("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10"), got);
    assertEquals(0, sut.stats().messagesDropped(), "an acknowledged message is never dropped");
    assertEquals(0, sut.flowStats().publishersThrottled());
  }

  @Test
  @DisplayName("QoS 0 for a congested online subscriber is dropped and counted by reason; QoS 1 "
      + "is kept")
  void qos0GivesWayForASlowSubscriber() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.queue.max-messages", "2")));
    TestClient slow = stalledSubscriber(ProtocolVersion.MQTT_5);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    pub.publish("q", "a", QoS.AT_LEAST_ONCE, false);
    pub.publish("q", "b", QoS.AT_LEAST_ONCE, false);
    pub.publish("q", "zero", QoS.AT_MOST_ONCE, false);
    pub.publish("q", "c", QoS.AT_LEAST_ONCE, false);
    TestBrokers.drainLanes(sut);

    assertEquals(1L, sut.flowStats().dropped().get(DropReason.QOS0_SLOW_SUBSCRIBER));
    slow.transport.setWritable(true);
    slow.inbound.onWritable();
    for (String expected : List.of("a", "b", "c")) {
      slow.puback(slow.expectPublish("q", expected));
    }
  }

  @Test
  @DisplayName("an offline persistent session's queue stays bounded: drops are counted as "
      + "offline_queue_full and the publisher is not held back")
  void offlineQueueIsBoundedAndDoesNotThrottle() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.queue.max-messages", "2")));
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "away", true, null,
        Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 3600L).build());
    sub.subscribe("q", QoS.AT_LEAST_ONCE);
    sub.disconnectAbruptly();
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    for (int i = 1; i <= 5; i++) {
      assertEquals(ReasonCode.SUCCESS, pub.publishAcked("q", "m" + i).reasonCode());
    }

    assertEquals(3L, sut.flowStats().dropped().get(DropReason.OFFLINE_QUEUE_FULL));
    assertEquals(0, sut.flowStats().publishersThrottled());
  }

  @Test
  @DisplayName("[MQTT-4.3.3] an MQTT 3.1.1 client pipelines 1000 QoS 2 PUBLISH packets before "
      + "any PUBREL: all get PUBREC, none is cut off (3.1.1 has no Receive Maximum), and each "
      + "is delivered exactly once")
  void v311PipelinesQos2BeyondTheReceiveMaximum() {
    sut = TestBrokers.started();
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "sub", true);
    sub.subscribe("p", QoS.EXACTLY_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "pub", true);

    for (int i = 1; i <= 1000; i++) {
      pub.publish("p", "m" + i, QoS.EXACTLY_ONCE, false);
    }
    List<PubRec> recs = pub.drainAll(PubRec.class);
    assertEquals(1000, recs.size(), "a PUBREC for every PUBLISH");
    for (PubRec rec : recs) {
      pub.send(new PubRel(rec.packetId()));
    }
    assertEquals(1000, pub.drainAll(PubComp.class).size());
    assertFalse(pub.isClosed());

    Set<String> received = new HashSet<>();
    int deliveries = 0;
    Packet p;
    while ((p = sub.transport.poll()) != null) {
      if (p instanceof Publish publish) {
        deliveries++;
        received.add(TestClient.payloadOf(publish));
        sub.send(new PubRec(publish.packetId()));
      } else if (p instanceof PubRel rel) {
        sub.send(new PubComp(rel.packetId()));
      }
      if (received.size() == 1000 && deliveries == 1000) {
        break;
      }
    }
    assertEquals(1000, received.size(), "every message delivered");
    assertEquals(1000, deliveries, "none twice");
  }

  @Test
  @DisplayName("[MQTT-3.3.4-7] an MQTT 5 client that sends more unacknowledged QoS 1 PUBLISH "
      + "packets than the Receive Maximum gets DISCONNECT 0x93")
  void v5ClientOverTheReceiveMaximumIsDisconnected() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.receive-maximum", "5",
        "mqtt.queue.max-messages", "1")));
    TestClient slow = stalledSubscriber(ProtocolVersion.MQTT_5);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    // Every PUBACK is held back by the congested subscriber, so the sixth exceeds 5
    for (int i = 1; i <= 6; i++) {
      pub.publish("q", "m" + i, QoS.AT_LEAST_ONCE, false);
    }

    pub.expectDisconnect(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED, "[MQTT-3.3.4-7]");
  }

  @Test
  @DisplayName("a subscriber that takes nothing for mqtt.slow-subscriber-timeout is disconnected "
      + "with 0x97, and the publishers it held back get their acknowledgements")
  void stuckSubscriberIsDisconnectedAndPublishersResume() {
    ManualClock clock = new ManualClock();
    sut = TestBrokers.started(b -> b.clock(clock).config(TestBrokers.config(
        "mqtt.queue.max-messages", "2", "mqtt.slow-subscriber-timeout", "5")));
    TestClient stuck = TestClient.connect(sut, ProtocolVersion.MQTT_5, "stuck", true);
    stuck.subscribe("q", QoS.AT_LEAST_ONCE);
    stuck.transport.setWritable(false);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    for (int i = 1; i <= 4; i++) {
      pub.publish("q", "m" + i, QoS.AT_LEAST_ONCE, false);
    }
    pub.expect(PubAck.class);
    pub.expectNothing(sut);

    clock.advance(Duration.ofSeconds(4));
    TestBrokers.sweep(sut);
    assertFalse(stuck.isClosed(), "not before the timeout");
    clock.advance(Duration.ofSeconds(2));
    TestBrokers.sweep(sut);

    stuck.awaitClosed("slow subscriber timeout");
    assertEquals(3, pub.drainAll(PubAck.class).size(), "the held PUBACKs are released");
    assertEquals(1, sut.flowStats().slowSubscribersDisconnected());
  }

  @Test
  @DisplayName("a subscriber that acknowledges slowly but steadily is not disconnected")
  void slowButProgressingSubscriberStays() {
    ManualClock clock = new ManualClock();
    sut = TestBrokers.started(b -> b.clock(clock).config(TestBrokers.config(
        "mqtt.max-inflight", "1", "mqtt.slow-subscriber-timeout", "5")));
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true);
    sub.subscribe("q", QoS.AT_LEAST_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    for (int i = 1; i <= 5; i++) {
      pub.publish("q", "m" + i, QoS.AT_LEAST_ONCE, false);
    }

    for (int i = 1; i <= 5; i++) {
      Publish p = sub.expectPublish("q", "m" + i);
      clock.advance(Duration.ofSeconds(4));
      TestBrokers.sweep(sut);
      sub.puback(p);
    }

    assertFalse(sub.isClosed());
  }

  @Test
  @DisplayName("a client whose outbound buffer is full is not read from until it drains")
  void clientThatDoesNotReadIsNotReadFrom() {
    sut = TestBrokers.started();
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "c", true);

    c.inbound.onUnwritable();
    assertTrue(c.transport.readingPaused());
    assertEquals(1, sut.flowStats().connectionsPaused());

    c.inbound.onWritable();
    assertFalse(c.transport.readingPaused());
    assertEquals(0, sut.flowStats().connectionsPaused());
  }

  @Test
  @DisplayName("a client that leaves its outbound buffer full for mqtt.slow-subscriber-timeout is "
      + "cut off at once, without a DISCONNECT it would not read")
  void clientThatDoesNotReadIsCutOff() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config(
        "mqtt.slow-subscriber-timeout", "1")));
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "deaf", true);

    c.inbound.onUnwritable();

    await().atMost(Duration.ofSeconds(10)).until(c::isClosed);
    assertEquals(null, c.transport.pollNow(), "nothing sent to a client that does not read");
    assertEquals(1, sut.flowStats().slowSubscribersDisconnected());
  }

  @Test
  @DisplayName("an MQTT 3 publisher with too many acknowledgements held back is not read from "
      + "until they go out")
  void v3PublisherWithTooManyHeldAcksIsPaused() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.queue.max-messages", "1")));
    TestClient slow = stalledSubscriber(ProtocolVersion.MQTT_3_1_1);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "pub", true);

    for (int i = 0; i < 1000; i++) {
      pub.publish("q", "m" + i, QoS.AT_LEAST_ONCE, false);
    }
    TestBrokers.drainLanes(sut);
    assertTrue(pub.transport.readingPaused());

    slow.transport.setWritable(true);
    slow.inbound.onWritable();
    int acked = 0;
    for (int i = 0; i < 1000; i++) {
      slow.puback(slow.expect(Publish.class));
    }
    acked = pub.drainAll(PubAck.class).size();
    assertEquals(1000, acked);
    assertFalse(pub.transport.readingPaused());
  }

  @Test
  @DisplayName("overloaded (heap past mqtt.overload.heap-high-percent): new CONNECTs get 0x89 "
      + "Server busy (3.1.1: return code 3), connected clients go on, and it recovers")
  void overloadRefusesNewConnectionsUntilItRecovers() {
    double[] heap = {0.5};
    sut = TestBrokers.started(b -> b.heapUse(() -> heap[0]));
    TestClient before = TestClient.connect(sut, ProtocolVersion.MQTT_5, "before", true);

    heap[0] = 0.95;
    await().atMost(Duration.ofSeconds(5)).until(sut::isOverloaded);
    ConnAck v5 = new TestClient(sut, ProtocolVersion.MQTT_5).connectWith(
        new Connect(ProtocolVersion.MQTT_5, "late5", true, 60, null, null, null,
            Properties.EMPTY));
    ConnAck v3 = new TestClient(sut, ProtocolVersion.MQTT_3_1_1).connectWith(
        new Connect(ProtocolVersion.MQTT_3_1_1, "late3", true, 60, null, null, null,
            Properties.EMPTY));
    before.subscribe("still/served", QoS.AT_LEAST_ONCE);

    assertEquals(ReasonCode.SERVER_BUSY, v5.reasonCode());
    assertEquals(ReasonCode.SERVER_UNAVAILABLE, v3.reasonCode(), "3.1.1 return code 3");
    assertEquals(2, sut.flowStats().connectionsRefusedOverload());

    heap[0] = 0.5;
    await().atMost(Duration.ofSeconds(5)).until(() -> !sut.isOverloaded());
    TestClient.connect(sut, ProtocolVersion.MQTT_5, "after", true);
  }

  /** A QoS 1 subscriber to "q" whose transport takes nothing: its backlog only grows. */
  private TestClient stalledSubscriber(ProtocolVersion version) {
    TestClient slow = TestClient.connect(sut, version, "slow", true);
    slow.subscribe("q", QoS.AT_LEAST_ONCE);
    slow.transport.setWritable(false);
    return slow;
  }
}
