package org.ferrymq.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.ferrymq.cluster.PeerTraffic;
import org.junit.jupiter.api.Test;

class PeerMetricsTest {
  private final AtomicReference<List<PeerTraffic>> members = new AtomicReference<>(List.of());
  private final List<String> events = new ArrayList<>();
  private final PeerMetrics sut = new PeerMetrics(members::get, new PeerMetrics.Series() {
    @Override
    public void add(String peer) {
      events.add("+" + peer);
    }

    @Override
    public void remove(String peer) {
      events.add("-" + peer);
    }
  });

  @Test
  void aPeerGetsItsSeriesWhenItAppearsAndTheyFollowItsCounts() {
    members.set(List.of(new PeerTraffic("id-b", "10.0.0.2:5701", 0, 0, 0)));

    // Exercise
    sut.refresh();
    see(new PeerTraffic("id-b", "10.0.0.2:5701", 40, 7, 3));

    // Verify: registered once, and the latest figures read
    assertEquals(List.of("+10.0.0.2:5701"), events);
    assertEquals(new PeerTraffic("id-b", "10.0.0.2:5701", 40, 7, 3), sut.of("10.0.0.2:5701"));
  }

  @Test
  void aPeerThatLeavesLosesItsSeriesSoCyclingMembersLeaveNoneBehind() {
    see(new PeerTraffic("id-b", "10.0.0.2:5701", 5, 5, 1),
        new PeerTraffic("id-c", "10.0.0.3:5701", 1, 1, 0));

    // Exercise: C leaves, then a member at a new address joins and leaves again, five times
    see(new PeerTraffic("id-b", "10.0.0.2:5701", 6, 5, 0));
    for (int i = 0; i < 5; i++) {
      see(new PeerTraffic("id-b", "10.0.0.2:5701", 6, 5, 0),
          new PeerTraffic("id-" + i, "10.0.1." + i + ":5701", 0, 0, 0));
      see(new PeerTraffic("id-b", "10.0.0.2:5701", 6, 5, 0));
    }

    // Verify: only the peer still there keeps series; the one that left reads zeros
    assertEquals(Set.of("10.0.0.2:5701"), sut.registered());
    assertEquals("-10.0.0.3:5701", events.get(2));
    assertEquals(7, events.stream().filter(e -> e.startsWith("+")).count());
    assertEquals(6, events.stream().filter(e -> e.startsWith("-")).count(),
        "every series added for a peer that left is removed");
    assertEquals(0, sut.of("10.0.0.3:5701").forwarded());
  }

  @Test
  void aPeerThatRestartsAtItsAddressGoesOnInItsSeries() {
    see(new PeerTraffic("id-b", "10.0.0.2:5701", 90, 9, 0));

    // Exercise: a new node id at the same address, its counts from 0 again
    see(new PeerTraffic("id-b2", "10.0.0.2:5701", 2, 0, 0));

    // Verify
    assertEquals(List.of("+10.0.0.2:5701"), events);
    assertEquals(2, sut.of("10.0.0.2:5701").forwarded());
  }

  /** The node sees these peers now, and the metrics' sync runs. */
  private void see(PeerTraffic... peers) {
    members.set(List.of(peers));
    sut.refresh();
  }
}
