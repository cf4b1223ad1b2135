package org.ferrymq.engine.spec.qos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The bounded per-session queue (MQTT 5 4.1 and 4.9 leave its size to the server): the
 * mqtt.queue.max-messages and max-bytes bounds, the drop-oldest and reject-new policies, and a
 * slow consumer that fills only its own queue.
 */
class OfflineQueueTest {
  private static final Properties EXPIRY = Properties.builder()
      .put(Property.SESSION_EXPIRY_INTERVAL, 300).build();

  private MqttBroker sut;

  @AfterEach
  void stop() {
    sut.stop();
  }

  /** Subscribes a persistent session to "q", disconnects it and publishes the payloads. */
  private void queueWhileOffline(String... payloads) {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", false, null, EXPIRY);
    sub.subscribe("q", QoS.AT_LEAST_ONCE);
    sub.disconnectAbruptly();
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    for (String p : payloads) {
      assertEquals(ReasonCode.SUCCESS, pub.publishAcked("q", p).reasonCode());
    }
  }

  private List<String> resumeAndReceive() {
    TestClient back = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", false, null, EXPIRY);
    List<String> got = new ArrayList<>();
    TestBrokers.drainLanes(sut);
    Publish p;
    while ((p = (Publish) back.transport.pollNow()) != null) {
      got.add(TestClient.payloadOf(p));
      back.puback(p);
      TestBrokers.drainLanes(sut);
    }
    return got;
  }

  @Test
  @DisplayName("mqtt.queue.max-messages with drop-oldest: the newest messages are kept, the"
      + " dropped ones counted")
  void dropOldestByCount() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.queue.max-messages", "3",
        "mqtt.queue.full-policy", "drop-oldest")));

    // Exercise
    queueWhileOffline("m1", "m2", "m3", "m4", "m5");

    // Verify
    assertEquals(2, sut.stats().messagesDropped());
    assertEquals(3, sut.stats().messagesQueued());
    assertEquals(List.of("m3", "m4", "m5"), resumeAndReceive());
  }

  @Test
  @DisplayName("mqtt.queue.max-messages with reject-new: the oldest messages are kept, the"
      + " rejected ones counted")
  void rejectNewByCount() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.queue.max-messages", "3",
        "mqtt.queue.full-policy", "reject-new")));

    queueWhileOffline("m1", "m2", "m3", "m4", "m5");

    assertEquals(2, sut.stats().messagesDropped());
    assertEquals(List.of("m1", "m2", "m3"), resumeAndReceive());
  }

  @Test
  @DisplayName("mqtt.queue.max-bytes bounds the queued bytes: payload plus topic here (4 + 1 per"
      + " message), so 13 bytes hold two messages and then a 2-byte one")
  void boundedByBytes() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.queue.max-bytes", "13",
        "mqtt.queue.full-policy", "reject-new")));

    queueWhileOffline("aaaa", "bbbb", "cccc", "dd");

    assertEquals(1, sut.stats().messagesDropped());
    assertEquals(List.of("aaaa", "bbbb", "dd"), resumeAndReceive());
  }

  @Test
  @DisplayName("mqtt.queue.max-bytes with drop-oldest makes room by dropping old messages")
  void dropOldestByBytes() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.queue.max-bytes", "10",
        "mqtt.queue.full-policy", "drop-oldest")));

    queueWhileOffline("aaaa", "bbbb", "cccc");

    assertEquals(1, sut.stats().messagesDropped());
    assertEquals(List.of("bbbb", "cccc"), resumeAndReceive());
  }

  @Test
  @DisplayName("a slow consumer (transport not writable) past its queue bound holds back the"
      + " publisher's PUBACKs instead of losing messages; other subscribers still get every"
      + " message at once, and the slow one gets all of them when it drains")
  void slowConsumerHoldsBackAcknowledgementsNotMessages() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.queue.max-messages", "3")));
    TestClient slow = TestClient.connect(sut, ProtocolVersion.MQTT_5, "slow", true);
    slow.subscribe("q", QoS.AT_LEAST_ONCE);
    TestClient fast = TestClient.connect(sut, ProtocolVersion.MQTT_5, "fast", true);
    fast.subscribe("q", QoS.AT_LEAST_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    slow.transport.setWritable(false);

    // Exercise
    for (int i = 1; i <= 6; i++) {
      pub.publish("q", "m" + i, QoS.AT_LEAST_ONCE, false);
    }

    // Verify
    for (int i = 1; i <= 6; i++) {
      fast.puback(fast.expectPublish("q", "m" + i));
    }
    assertEquals(2, pub.drainAll(PubAck.class).size(), "admitted below the bound of 3");
    slow.expectNothing(sut);
    slow.transport.setWritable(true);
    slow.inbound.onWritable();
    for (int i = 1; i <= 6; i++) {
      slow.puback(slow.expectPublish("q", "m" + i));
    }
    assertEquals(4, pub.drainAll(PubAck.class).size(), "the held PUBACKs follow");
    assertEquals(0, sut.stats().messagesDropped());
  }
}
