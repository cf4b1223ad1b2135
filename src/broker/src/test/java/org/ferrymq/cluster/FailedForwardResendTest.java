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
 * A QoS 2 message from an MQTT 3.1.1 publisher on node A reaches a subscriber on A and two on
 * node B, and the delivery to one of B's throws (its store refuses the write). B settles the
 * message as failed, so A closes the publisher's connection (3.1.1 has no negative PUBREC) and
 * the client resends with DUP [MQTT-4.4.0-1]. The resend must reach only the receiver that
 * missed it. Before, A left out its own receiver but forwarded the resend to B as a whole, and
 * B's other subscriber got the message twice.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FailedForwardResendTest {
  private static final String NAME = "resend-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String SECRET = "a-shared-secret-of-the-test-cluster";
  private static final String TOPIC = "resend/t";
  private static final int PACKET_ID = 7;
  private static ClusterBroker a;
  private static ClusterBroker b;
  private static RefusingStore storeOfB;

  @BeforeAll
  static void startCluster() throws Exception {
    List<Integer> ports = List.of(ClusterBroker.freePort(), ClusterBroker.freePort());
    a = ClusterBroker.start(NAME, SECRET, ports.get(0), ports, new TransientPersistence());
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
    TestClient tookOnA = subscriber(a, "took-a");
    TestClient tookOnB = subscriber(b, "took-b");
    TestClient failedOnB = subscriber(b, "failed-b");
    ClusterSessionsTest.awaitFilterKnown(a, b, TOPIC);
    TestClient pub = TestClient.connect(a.broker, ProtocolVersion.MQTT_3_1_1, "pub", false);
    storeOfB.refuseNextFor("failed-b");

    // Exercise: the delivery to failed-b throws; the client resends as 3.1.1 requires
    pub.send(publish(false));
    pub.awaitClosed("3.1.1 has no negative PUBREC: the connection closes");
    TestClient again = new TestClient(a.broker, ProtocolVersion.MQTT_3_1_1);
    assertTrue(again.connectWith(new Connect(ProtocolVersion.MQTT_3_1_1, "pub", false, 60,
        null, null, null, Properties.EMPTY)).sessionPresent(), "the receipt's session stays");
    again.send(publish(true));
    assertEquals(PACKET_ID, again.expect(PubRec.class).packetId());
    again.send(new PubRel(PACKET_ID));
    assertEquals(PACKET_ID, again.expect(PubComp.class).packetId());

    // Verify: [MQTT-4.3.3-2] each receiver has it exactly once, on either node
    Map<String, TestClient> receivers = Map.of("took-a", tookOnA, "took-b", tookOnB,
        "failed-b", failedOnB);
    receivers.forEach((clientId, receiver) -> assertEquals(Map.of("once", 1),
        ForwardTimeoutTest.receive(receiver, () -> true),
        "[MQTT-4.3.3-2] exactly once to " + clientId));
  }

  /** A connected MQTT 3.1.1 subscriber of a persistent session, whose queue is stored. */
  private static TestClient subscriber(ClusterBroker node, String clientId) {
    TestClient s = TestClient.connect(node.broker, ProtocolVersion.MQTT_3_1_1, clientId, false);
    s.subscribe(TOPIC, QoS.EXACTLY_ONCE);
    return s;
  }

  private static Publish publish(boolean dup) {
    return new Publish(TOPIC, "once".getBytes(StandardCharsets.UTF_8), QoS.EXACTLY_ONCE, false,
        dup, PACKET_ID, Properties.EMPTY);
  }
}
