package org.ferrymq.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bound on a peer that refuses: node B's broker stops and its member stays in the cluster
 * (a stop that hangs before the leave). What node A forwards to B's persistent subscriber stays
 * owed, for the node that would adopt B's sessions, for {@code mqtt.cluster.forward-timeout}
 * (1 s here), then fails: it is never acknowledged as taken by no one. Before, A acknowledged
 * it at once, and the session, adopted once B left, never got it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoppedPeerTest {
  private static final String SECRET = "a-shared-secret-of-the-test-cluster";
  private static final long TIMEOUT_MILLIS = 1_000;
  private final List<ClusterBroker> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(ClusterBroker::close);
  }

  @Test
  void whatAPeerWhoseBrokerStoppedRefusesFailsAfterTheForwardTimeoutAndIsNeverAcknowledged()
      throws Exception {
    nodes.addAll(ClusterBroker.startCluster("stopped-" + UUID.randomUUID().toString()
        .substring(0, 8), SECRET, 2, "mqtt.cluster.forward-timeout", "1"));
    ClusterBroker a = nodes.get(0);
    ClusterBroker b = nodes.get(1);
    TestClient subscriber = TestClient.connect(b.broker, ProtocolVersion.MQTT_3_1_1,
        "persistent-on-b", false);
    subscriber.subscribe("stopped/t", QoS.AT_LEAST_ONCE);
    ClusterSessionsTest.awaitFilterKnown(a, b, "stopped/t");
    b.broker.stop();
    TestClient publisher5 = TestClient.connect(a.broker, ProtocolVersion.MQTT_5, "pub-5", true);
    TestClient publisher3 = TestClient.connect(a.broker, ProtocolVersion.MQTT_3_1_1, "pub-3",
        true);

    // Exercise: a QoS 1 message for the session on B, whose member stays
    long began = System.nanoTime();
    publisher5.publish("stopped/t", "owed", QoS.AT_LEAST_ONCE, false);
    PubAck owed = publisher5.expect(PubAck.class);
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);

    // Verify: 3.4.2.1 PUBACK Reason Code 0x80, not a success for a message no session took,
    // and only once B had refused it for the forward timeout (kept owed until then)
    assertEquals(ReasonCode.UNSPECIFIED_ERROR, owed.reasonCode(), owed.toString());
    assertTrue(waitedMillis >= TIMEOUT_MILLIS, "failed after " + waitedMillis + " ms");

    // Exercise: later messages, while B still refuses and stays
    publisher5.publish("stopped/t", "refused", QoS.AT_LEAST_ONCE, false);
    publisher3.publish("stopped/t", "refused-3", QoS.AT_LEAST_ONCE, false);

    // Verify: they fail too; the MQTT 3 publisher, which has no reason code, is disconnected
    // so that it sends the message again [MQTT-4.4.0-1]
    assertEquals(ReasonCode.UNSPECIFIED_ERROR, publisher5.expect(PubAck.class).reasonCode());
    await().atMost(Duration.ofSeconds(10)).until(publisher3::isClosed);
  }
}
