package org.ferrymq.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.ferrymq.engine.PeerKey;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.Subscription;
import org.ferrymq.topic.SubscriptionEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node's index that lost track of the subscription directory (an update Hazelcast's
 * anti-entropy brought to its member without an event) is repaired by the periodic
 * reconciliation, every second here: a peer's filter it missed comes back, and the node routes
 * to the peer's subscriber again; a filter the directory no longer has goes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DirectoryReconciliationTest {
  private static final String SECRET = "a-shared-secret-of-the-test-cluster";
  /** Two runs of one second: a difference is repaired once a second run still sees it. */
  private static final Duration REPAIRED_WITHIN = Duration.ofSeconds(10);
  private static List<ClusterBroker> nodes;
  private static ClusterBroker a;
  private static ClusterBroker b;

  @BeforeAll
  static void startCluster() throws IOException {
    nodes = ClusterBroker.startCluster("reconcile-" + UUID.randomUUID().toString().substring(0, 8),
        SECRET, 2, Map.of("mqtt.cluster.reconcile-interval", "1"));
    a = nodes.get(0);
    b = nodes.get(1);
  }

  @AfterAll
  static void stopCluster() {
    nodes.forEach(ClusterBroker::close);
  }

  @Test
  void aPeersFilterTheIndexMissedComesBackAndItsSubscriberGetsTheMessagesAgain() {
    TestClient subscriber = TestClient.connect(b.broker, ProtocolVersion.MQTT_5, "rec-sub", true);
    subscriber.subscribe("rec/#", QoS.AT_LEAST_ONCE);
    await().atMost(REPAIRED_WITHIN).until(() -> a.node.knowsPeerFilter(b.id(), "rec/#"));
    TestClient publisher = TestClient.connect(a.broker, ProtocolVersion.MQTT_5, "rec-pub", true);

    // Exercise: node A's index misses B's filter, as after an update that came without event
    a.node.subscriptionIndex().peerRemoved(b.id(), "rec/#");
    assertFalse(a.node.knowsPeerFilter(b.id(), "rec/#"), "the index missed the filter");

    // Verify: the reconciliation finds it in the directory, and A routes to B's subscriber
    await().atMost(REPAIRED_WITHIN).until(() -> a.node.knowsPeerFilter(b.id(), "rec/#"));
    assertEquals(ReasonCode.SUCCESS, publisher.publishAcked("rec/1", "after").reasonCode());
    subscriber.expectPublish("rec/1", "after");
  }

  @Test
  void aPeersFilterTheDirectoryNoLongerHasLeavesTheIndex() {
    ClusterSubscriptionIndex index = a.node.subscriptionIndex();

    // Exercise: node A's index keeps a filter B withdrew, as after a missed removal
    index.peerAdded(b.id(), "stale/#", 1);
    assertTrue(index.routesToPeer(b.id(), "stale/#"));

    // Verify
    await().atMost(REPAIRED_WITHIN).until(() -> !index.routesToPeer(b.id(), "stale/#"));
  }

  @Test
  void aPeersGroupWeighsAgainAsManyMembersAsTheDirectorySays() {
    TestClient member = TestClient.connect(b.broker, ProtocolVersion.MQTT_5, "rec-member", true);
    member.subscribe("$share/g/w/#", QoS.AT_LEAST_ONCE);
    await().atMost(REPAIRED_WITHIN).until(() -> a.node.knowsPeerFilter(b.id(), "$share/g/w/#"));
    ClusterSubscriptionIndex index = a.node.subscriptionIndex();
    SubscriptionEntry group = SubscriptionEntry.of(PeerKey.of(b.id()),
        new Subscription("$share/g/w/#", QoS.EXACTLY_ONCE), 0);

    // Exercise: node A's index keeps a member count B no longer announces
    index.peerAdded(b.id(), "$share/g/w/#", 7);
    assertEquals(7, index.weight(group));

    // Verify: [MQTT-4.8.2] B's one member weighs one again when A chooses a node for the group
    await().atMost(REPAIRED_WITHIN).until(() -> index.weight(group) == 1);
  }
}
