package org.ferrymq.engine.spec.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.UnsubAck;
import org.ferrymq.packet.Unsubscribe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Shared subscriptions (MQTT 5 4.8.2): one member per message, round-robin or least-loaded
 * (mqtt.shared-subscriptions.strategy), and redistribution of a leaving member's messages.
 */
class SharedSubscriptionTest {
  private MqttBroker sut;

  @AfterEach
  void stop() {
    sut.stop();
  }

  private TestClient member(String id, QoS qos) {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, id, true);
    c.subscribe("$share/g/work/+", qos);
    return c;
  }

  /** Publishes m1..mN QoS 1 while {@code slow} cannot write, so its share waits in its queue. */
  private void publishWhileSlow(TestClient slow, int count) {
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    slow.transport.setWritable(false);
    for (int i = 1; i <= count; i++) {
      pub.publishAcked("work/x", "m" + i);
    }
  }

  /** Takes every PUBLISH already sent to the client, acknowledging QoS 1 ones. */
  private List<String> received(TestClient c, boolean ack) {
    TestBrokers.drainLanes(sut);
    List<String> got = new ArrayList<>();
    Packet p;
    while ((p = c.transport.pollNow()) != null) {
      if (p instanceof Publish publish) {
        got.add(TestClient.payloadOf(publish));
        if (ack && publish.qos() == QoS.AT_LEAST_ONCE) {
          c.puback(publish);
        }
      }
    }
    return got;
  }

  @Test
  @DisplayName("4.8.2: round-robin: each message goes to exactly one member, in turn; a normal"
      + " subscription on the same filter gets every message")
  void roundRobin() {
    sut = TestBrokers.started();
    TestClient a = member("a", QoS.AT_MOST_ONCE);
    TestClient b = member("b", QoS.AT_MOST_ONCE);
    TestClient plain = TestClient.connect(sut, ProtocolVersion.MQTT_5, "plain", true);
    plain.subscribe("work/+", QoS.AT_MOST_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    // Exercise
    for (int i = 1; i <= 6; i++) {
      pub.publish("work/x", "m" + i, QoS.AT_MOST_ONCE, false);
      TestBrokers.drainLanes(sut);
    }

    // Verify
    List<String> toA = received(a, false);
    List<String> toB = received(b, false);
    assertEquals(3, toA.size(), "alternating: " + toA + " / " + toB);
    assertEquals(3, toB.size());
    Set<String> all = new HashSet<>(toA);
    all.addAll(toB);
    assertEquals(6, all.size(), "each message to one member only");
    assertEquals(6, received(plain, false).size());
  }

  @Test
  @DisplayName("4.8.2: least-loaded: a member with unacknowledged messages is passed over for"
      + " one that acknowledges")
  void leastLoaded() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config(
        "mqtt.shared-subscriptions.strategy", "least-loaded")));
    TestClient lazy = member("lazy", QoS.AT_LEAST_ONCE);
    TestClient busy = member("busy", QoS.AT_LEAST_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    List<String> toLazy = new ArrayList<>();
    for (int i = 0; i < 3 && toLazy.isEmpty(); i++) {
      pub.publishAcked("work/x", "warm-up");
      toLazy.addAll(received(lazy, false));
      received(busy, true);
    }
    assertEquals(List.of("warm-up"), toLazy, "lazy now holds one unacknowledged message");

    // Exercise: round-robin would hand lazy every other one of these
    for (int i = 1; i <= 4; i++) {
      pub.publishAcked("work/x", "m" + i);
      assertEquals(List.of("m" + i), received(busy, true));
    }

    // Verify
    assertEquals(List.of(), received(lazy, false),
        "the member with an unacknowledged message gets no more");
  }

  @Test
  @DisplayName("4.8.2: when a member unsubscribes, the messages queued for it go to the"
      + " remaining member")
  void redistributionOnUnsubscribe() {
    sut = TestBrokers.started();
    TestClient slow = member("slow", QoS.AT_LEAST_ONCE);
    TestClient other = member("other", QoS.AT_LEAST_ONCE);
    publishWhileSlow(slow, 4);
    List<String> direct = received(other, true);
    assertEquals(2, direct.size(), "half went to the slow member's queue");

    // Exercise
    slow.send(new Unsubscribe(slow.nextId(), List.of("$share/g/work/+"), Properties.EMPTY));

    // Verify
    slow.expect(UnsubAck.class);
    List<String> all = new ArrayList<>(direct);
    all.addAll(received(other, true));
    assertEquals(Set.of("m1", "m2", "m3", "m4"), new HashSet<>(all));
    assertEquals(4, all.size());
    slow.transport.setWritable(true);
    slow.inbound.onWritable();
    slow.expectNothing(sut);
  }

  @Test
  @DisplayName("4.8.2: when a member's session ends, its queued messages go to the remaining"
      + " member")
  void redistributionOnSessionEnd() {
    sut = TestBrokers.started();
    TestClient slow = member("slow", QoS.AT_LEAST_ONCE);
    TestClient other = member("other", QoS.AT_LEAST_ONCE);
    publishWhileSlow(slow, 4);
    List<String> all = new ArrayList<>(received(other, true));

    // Exercise
    slow.disconnectAbruptly();

    // Verify
    all.addAll(received(other, true));
    assertEquals(Set.of("m1", "m2", "m3", "m4"), new HashSet<>(all));
    assertEquals(4, all.size());
  }

  @Test
  @DisplayName("4.8.2: an unacknowledged QoS 1 message sent to a member whose session ends is"
      + " delivered to the remaining member")
  void inflightMessageOfAnEndedSessionIsRedelivered() {
    sut = TestBrokers.started();
    TestClient a = member("a", QoS.AT_LEAST_ONCE);
    TestClient b = member("b", QoS.AT_LEAST_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    pub.publishAcked("work/x", "m1");
    TestBrokers.drainLanes(sut);
    List<String> toA = received(a, false);
    List<String> toB = received(b, false);
    TestClient holder = toA.isEmpty() ? b : a;
    TestClient survivor = toA.isEmpty() ? a : b;
    assertEquals(1, toA.size() + toB.size());

    // Exercise
    holder.disconnectAbruptly();

    // Verify
    survivor.expectPublish("work/x", "m1");
  }
}
