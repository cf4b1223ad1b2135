package org.ferrymq.web.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.ferrymq.cluster.ClusterStatus;
import org.ferrymq.cluster.ClusterTotals;
import org.junit.jupiter.api.Test;

class ClusterReadinessTest {
  private static final List<String> CONFIGURED = List.of("10.0.0.5:5701", "10.0.0.6:5701",
      "10.0.0.7:5701");

  private static ClusterStatus status(boolean running, List<String> members) {
    return new ClusterStatus("plant-7", "node-a", "10.0.0.5:5701", running, members, CONFIGURED,
        12, 3, 7, 0, 1, 0, new ClusterTotals(members.size(), members.size(), 42, 45, 100, 90), 2,
        members.size() >= 2, false);
  }

  @Test
  void aNodeWithAllItsMembersIsReadyAndShowsThem() {
    ClusterStatus sut = status(true, CONFIGURED);

    Map<String, Object> data = ClusterReadiness.data(sut);

    assertTrue(ClusterReadiness.ready(sut));
    assertEquals("plant-7", data.get("cluster.name"));
    assertEquals("node-a", data.get("cluster.node"));
    assertEquals("10.0.0.5:5701", data.get("cluster.address"));
    assertEquals(3, data.get("cluster.members"));
    assertEquals("10.0.0.5:5701,10.0.0.6:5701,10.0.0.7:5701", data.get("cluster.member.list"));
    assertEquals(42L, data.get("cluster.clients.connected"));
  }

  @Test
  void aNodeLeftAloneStaysReadySinceItMayBeTheLastSurvivor() {
    ClusterStatus sut = status(true, List.of("10.0.0.5:5701"));

    Map<String, Object> data = ClusterReadiness.data(sut);

    assertTrue(ClusterReadiness.ready(sut));
    assertEquals(1, data.get("cluster.members"));
    assertEquals(String.join(",", CONFIGURED), data.get("cluster.members.configured"));
    assertEquals(false, data.get("cluster.quorum"), "alone it may not change cluster state");
    assertEquals(2, data.get("cluster.min-members"));
  }

  @Test
  void aNodeMergedBackAfterASplitIsNotLiveSoThatItRestarts() {
    ClusterStatus whole = status(true, CONFIGURED);
    ClusterStatus merged = new ClusterStatus("plant-7", "node-a", "10.0.0.5:5701", true,
        CONFIGURED, CONFIGURED, 0, 0, 0, 0, 0, 0, new ClusterTotals(3, 3, 0, 0, 0, 0), 2, true, true);

    assertTrue(ClusterLivenessCheck.live(whole));
    assertFalse(ClusterLivenessCheck.live(merged));
    assertTrue(ClusterReadiness.ready(merged), "readiness is not what restarts a server");
  }

  @Test
  void aNodeWhoseMemberStoppedIsNotReady() {
    ClusterStatus sut = status(false, List.of());

    assertFalse(ClusterReadiness.ready(sut));
    assertEquals(false, ClusterReadiness.data(sut).get("cluster.running"));
  }
}
