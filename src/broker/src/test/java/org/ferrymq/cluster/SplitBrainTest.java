package org.ferrymq.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Split-brain protection (docs/cluster.md, "Split brain"): a node whose side of the cluster has
 * fewer than {@code mqtt.cluster.min-members} members (here: the first of three listed members,
 * alone again after the second left) serves its connected clients but may not change
 * cluster-wide retained messages; the changes it kept are written once enough members have
 * joined.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SplitBrainTest {
  private static final String SECRET = "a-shared-secret-of-the-split-test";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aSideWithoutAMajorityKeepsRetainedChangesLocalUntilEnoughMembersJoin() throws Exception {
    String name = "split-" + UUID.randomUUID().toString().substring(0, 8);
    int a = ClusterBroker.freePort();
    int b = ClusterBroker.freePort();
    int c = ClusterBroker.freePort();
    List<Integer> listed = List.of(a, b, c);
    try (ClusterBroker first = ClusterBroker.start(name, SECRET, a, listed)) {
      ClusterStatus alone = first.node.status();
      assertEquals(2, alone.minMembers(), "a majority of the three listed members");
      assertFalse(alone.quorate());
      TestClient publisher;
      TestClient local;
      try (ClusterBroker second = ClusterBroker.start(name, SECRET, b, listed)) {
        await().atMost(WAIT).until(() -> first.node.status().quorate());
        // connected while the side has its quorum: without it, a CONNECT that must ask the
        // cluster for its session is refused (SplitBrainSessionsTest)
        publisher = TestClient.connect(first.broker, ProtocolVersion.MQTT_5, "pub", true);
        local = TestClient.connect(first.broker, ProtocolVersion.MQTT_5, "local", true);
      }
      await().atMost(WAIT).until(() -> !first.node.status().quorate());

      // Exercise: a retained publish on the side without a majority
      publisher.publish("split/t", "kept here", QoS.AT_LEAST_ONCE, true);
      assertEquals(ReasonCode.NO_MATCHING_SUBSCRIBERS, publisher.expect(PubAck.class)
          .reasonCode(), "accepted (0x10: no subscriber yet)");
      publisher.publish("split/gone", "", QoS.AT_MOST_ONCE, true);

      await().atMost(WAIT).until(() -> first.broker.retained("split/#", 10).messages()
          .size() == 1);
      // Verify: its own subscribers see it [MQTT-3.3.1-6], the cluster's map does not have it
      local.subscribe("split/#", QoS.AT_LEAST_ONCE);
      Publish seen = local.expectPublish("split/t", "kept here");
      assertTrue(seen.retain(), "[MQTT-3.3.1-9] RETAIN set on a retained message");
      assertFalse(first.node.sharesRetained("split/t"));

      try (ClusterBroker third = ClusterBroker.start(name, SECRET, c, listed)) {
        // Verify: with two members the side may write, and the kept change reaches the cluster
        await().atMost(WAIT).until(() -> first.node.status().quorate()
            && third.node.status().quorate());
        await().atMost(WAIT).until(() -> first.node.sharesRetained("split/t"));
        await().atMost(WAIT).until(() -> third.broker.retained("split/#", 10).messages()
            .size() == 1);
        TestClient other = TestClient.connect(third.broker, ProtocolVersion.MQTT_5, "other",
            true);
        other.subscribe("split/#", QoS.AT_LEAST_ONCE);
        assertTrue(other.expectPublish("split/t", "kept here").retain());
      }
    }
  }
}
