package org.ferrymq.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.PubComp;
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.memory.TransientPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A QoS 2 message from an MQTT 3.1.1 publisher on node A reaches subscribers on A and B, and
 * the delivery to one more throws (its store refuses the write), on B or on A. The message
 * fails, so A closes the publisher's connection (3.1.1 has no negative PUBREC) and the client
 * resends with DUP [MQTT-4.4.0-1]. The resend must reach only the receiver that missed it.
 * Before, when it failed on B, A left out its own receiver but forwarded the resend to B as a
 * whole, and B's other subscriber got the message twice; a QoS 1 resend reached every receiver.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FailedForwardResendTest {
  private static final String NAME = "resend-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String SECRET = "a-shared-secret-of-the-test-cluster";
  private static final int PACKET_ID = 7;
  private static ClusterBroker a;
  private static ClusterBroker b;
  private static RefusingStore storeOfA;
  private static RefusingStore storeOfB;

  @BeforeAll
  static void startCluster() throws Exception {
    List<Integer> ports = List.of(ClusterBroker.freePort(), ClusterBroker.freePort());
    storeOfA = new RefusingStore(new TransientPersistence());
    a = ClusterBroker.start(NAME, SECRET, ports.get(0), ports, storeOfA);
    storeOfB = new RefusingStore(new TransientPersistence());
    b = ClusterBroker.start(NAME, SECRET, ports.get(1), ports, storeOfB);
    await().atMost(Duration.ofSeconds(20))
        .until(() -> a.node.memberCount() == 2 && b.node.memberCount() == 2);
  }

  @AfterAll
  static void stopCluster() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  @Test
  void aQos2ResendAfterOneReceiverOnAPeerFailedReachesOnlyThatReceiver() {
    resendAfterADeliveryFailedOn(b, storeOfB, "peer/t", QoS.EXACTLY_ONCE);
  }

  /** The peer took it: the publisher's node leaves it out, as it leaves out its own receivers. */
  @Test
  void aQos2ResendAfterOneReceiverOnThePublishersNodeFailedReachesOnlyThatReceiver() {
    resendAfterADeliveryFailedOn(a, storeOfA, "origin/t", QoS.EXACTLY_ONCE);
  }

  /**
   * QoS 1 allows a second copy [MQTT-4.3.2-2], but a resend that reaches every receiver again
   * doubles their traffic for nothing: it reaches only the one that missed it, on either node.
   */
  @Test
  void aQos1ResendAfterOneReceiverFailedReachesOnlyThatReceiver() {
    resendAfterADeliveryFailedOn(b, storeOfB, "peer/q1", QoS.AT_LEAST_ONCE);
    resendAfterADeliveryFailedOn(a, storeOfA, "origin/q1", QoS.AT_LEAST_ONCE);
  }

  /**
   * Subscribers on A and B take a QoS 2 message from an MQTT 3.1.1 publisher on A, but the
   * delivery to one more, on {@code failing}, throws; the publisher resends.
   */
  private static void resendAfterADeliveryFailedOn(ClusterBroker failing, RefusingStore store,
      String topic, QoS qos) {
    Map<String, TestClient> receivers = Map.of(
        "took-a", subscriber(a, topic + "-took-a", topic, qos),
        "took-b", subscriber(b, topic + "-took-b", topic, qos),
        "failed", subscriber(failing, topic + "-failed", topic, qos));
    ClusterSessionsTest.awaitFilterKnown(a, b, topic);
    ClusterSessionsTest.awaitFilterKnown(b, a, topic);
    TestClient pub = TestClient.connect(a.broker, ProtocolVersion.MQTT_3_1_1, topic + "-pub",
        false);
    store.refuseNextFor(topic + "-failed");

    // Exercise: the delivery to the failed one throws; the client resends as 3.1.1 requires
    pub.send(publish(topic, qos, false));
    pub.awaitClosed("3.1.1 has no negative acknowledgement: the connection closes");
    TestClient again = new TestClient(a.broker, ProtocolVersion.MQTT_3_1_1);
    assertTrue(again.connectWith(new Connect(ProtocolVersion.MQTT_3_1_1, topic + "-pub", false,
        60, null, null, null, Properties.EMPTY)).sessionPresent(), "the receipt's session stays");
    again.send(publish(topic, qos, true));
    if (qos == QoS.AT_LEAST_ONCE) {
      assertEquals(PACKET_ID, again.expect(PubAck.class).packetId());
    } else {
      assertEquals(PACKET_ID, again.expect(PubRec.class).packetId());
      again.send(new PubRel(PACKET_ID));
      assertEquals(PACKET_ID, again.expect(PubComp.class).packetId());
    }

    // Verify: each receiver has it once, on either node (QoS 2: [MQTT-4.3.3-2])
    receivers.forEach((name, receiver) -> assertEquals(Map.of("once", 1),
        ForwardTimeoutTest.receive(receiver, () -> true),
        "once to " + name));
  }

  /** A connected MQTT 3.1.1 subscriber of a persistent session, whose queue is stored. */
  private static TestClient subscriber(ClusterBroker node, String clientId, String topic,
      QoS qos) {
    TestClient s = TestClient.connect(node.broker, ProtocolVersion.MQTT_3_1_1, clientId, false);
    s.subscribe(topic, qos);
    return s;
  }

  private static Publish publish(String topic, QoS qos, boolean dup) {
    return new Publish(topic, "once".getBytes(StandardCharsets.UTF_8), qos, false, dup,
        PACKET_ID, Properties.EMPTY);
  }
}
