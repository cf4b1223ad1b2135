package org.ferrymq.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.ferrymq.engine.PeerKey;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.Subscription;
import org.ferrymq.topic.MatchSink;
import org.ferrymq.topic.SharedGroup;
import org.ferrymq.topic.SubscriptionEntry;
import org.ferrymq.topic.SubscriptionTree;
import org.ferrymq.topic.Topics;
import org.junit.jupiter.api.Test;

/**
 * The index announces a filter once, when its first local subscription arrives, withdraws it
 * with the last, and reports the peers with a matching filter under their keys.
 */
class ClusterSubscriptionIndexTest {
  private final List<String> announcements = new ArrayList<>();
  private final ClusterSubscriptionIndex sut = new ClusterSubscriptionIndex(
      new SubscriptionTree(), new ClusterSubscriptionIndex.Announcer() {
        @Override
        public void announce(String filter, int subscriptions) {
          announcements.add("+" + filter + (Topics.isShared(filter) ? " " + subscriptions : ""));
        }

        @Override
        public void withdraw(String filter) {
          announcements.add("-" + filter);
        }
      });

  private static SubscriptionEntry entry(String clientId, String filter) {
    return SubscriptionEntry.of(clientId, new Subscription(filter, QoS.AT_LEAST_ONCE), 0);
  }

  @Test
  void aFilterIsAnnouncedByItsFirstSubscriptionAndWithdrawnWithItsLast() {
    sut.subscribe(entry("c1", "a/+"));
    sut.subscribe(entry("c2", "a/+"));
    sut.subscribe(entry("c1", "a/+")); // the same subscription again: replaced, not counted
    sut.subscribe(entry("c3", "$share/g/a/+"));
    sut.unsubscribe("c1", "a/+");
    sut.unsubscribeAll("c2");
    sut.unsubscribe("c3", "$share/g/a/+");

    assertEquals(List.of("+a/+", "+$share/g/a/+ 1", "-a/+", "-$share/g/a/+"), announcements);
  }

  @Test
  void aSharedGroupIsAnnouncedWithItsMemberCountWheneverItChanges() {
    sut.subscribe(entry("m1", "$share/g/t/#"));
    sut.subscribe(entry("m2", "$share/g/t/#"));
    sut.subscribe(entry("m2", "$share/g/t/#")); // the same member again: not counted
    sut.subscribe(entry("m3", "$share/h/t/#"));
    sut.unsubscribeAll("m1");
    sut.unsubscribe("m2", "$share/g/t/#");

    assertEquals(List.of("+$share/g/t/# 1", "+$share/g/t/# 2", "+$share/h/t/# 1",
        "+$share/g/t/# 1", "-$share/g/t/#"), announcements);
  }

  @Test
  void aPeersGroupIsOneMemberThatWeighsAsManyAsThePeerHasMembers() {
    sut.subscribe(entry("local", "$share/g/t/#"));
    sut.peerAdded("node-b", "$share/g/t/#", 3);
    sut.peerAdded("node-c", "$share/g/t/#", 1);
    sut.peerAdded("node-c", "$share/g/t/#", 2);

    List<SharedGroup> groups = groups("t/1");

    // [MQTT-4.8.2] one group, reported in two parts: this node's members, and the peers
    assertEquals(2, groups.size());
    SharedGroup local = groups.get(0);
    SharedGroup peers = groups.get(1);
    assertEquals(List.of("local"), local.members().stream().map(SubscriptionEntry::clientId)
        .toList());
    assertEquals(List.of(PeerKey.of("node-b"), PeerKey.of("node-c")), peers.members().stream()
        .map(SubscriptionEntry::clientId).toList());
    assertEquals(3, sut.weight(peers.members().get(0)));
    assertEquals(2, sut.weight(peers.members().get(1)), "the last count announced");
    assertEquals(1, sut.weight(local.members().get(0)));
    assertEquals(1, sut.size(), "the peers' members are not this node's subscriptions");

    sut.peerRemoved("node-b", "$share/g/t/#");
    sut.peerGone("node-c");
    assertEquals(1, groups("t/1").size(), "only this node's part is left");
  }

  @Test
  void thePeersWithAMatchingFilterAreReportedBesideTheLocalEntries() {
    sut.subscribe(entry("local", "t/1"));
    sut.peerAdded("node-b", "t/+", 1);
    sut.peerAdded("node-b", "t/#", 1);
    sut.peerAdded("node-c", "other/#", 1);

    List<String> matched = match("t/1");

    // node-b's two matching filters share its key: the router makes them one delivery
    assertEquals(java.util.Set.of("local", PeerKey.of("node-b")), java.util.Set.copyOf(matched));
    assertEquals(1, sut.size(), "the peers' filters are not this node's subscriptions");
  }

  @Test
  void aPeerThatWithdrewOrLeftIsNoLongerReported() {
    sut.peerAdded("node-b", "t/+", 1);
    sut.peerAdded("node-c", "t/#", 1);
    sut.peerRemoved("node-b", "t/+");
    sut.peerGone("node-c");

    assertTrue(match("t/1").isEmpty());
  }

  @Test
  void theFiltersOfAPeerThatLeftPointAtItsAdopterUntilTheAdopterIsDone() {
    sut.peerAdded("node-b", "s/1", 1);
    sut.peerAdded("node-b", "s/2", 1);
    sut.peerAdded("node-b", "s/9", 1);
    sut.peerAdded("node-b", "$share/g/g/#", 2);
    sut.peerAdded("node-a", "s/2", 1);

    // Exercise: B leaves, A adopts its sessions
    sut.peerDeparted("node-b", "node-a", false);

    // Verify: B's plain filters and its group lead to A
    assertEquals(List.of(PeerKey.of("node-a")), match("s/1"));
    assertEquals(List.of(PeerKey.of("node-a")), match("s/2"), "one delivery to A");
    assertTrue(sut.routesToPeer("node-a", "s/1"));
    assertEquals(List.of(PeerKey.of("node-a")), members(groups("g/3")),
        "the group's copies go where its adopted members will be");

    // A announces s/1 for the session it adopted, then says it is done; s/9 was a clean
    // session's, gone with B
    sut.peerAdded("node-a", "s/1", 1);
    sut.adoptionDone("node-a", "node-b", java.util.Set.of("s/1", "s/2"));

    assertEquals(List.of(PeerKey.of("node-a")), match("s/1"), "A's own now");
    assertEquals(List.of(PeerKey.of("node-a")), match("s/2"), "A's own before");
    assertTrue(match("s/9").isEmpty(), "borrowed for B, not announced by A: gone");
    assertTrue(groups("g/3").isEmpty(), "a group A does not announce: gone");
  }

  @Test
  void theAdopterKeepsTheFiltersOfThePeerThatLeftUntilItIsDone() {
    sut.peerAdded("node-b", "s/1", 1);
    sut.peerAdded("node-b", "$share/g/g/#", 2);

    // Exercise: this node adopts B's sessions
    sut.peerDeparted("node-b", "node-a", true);

    // Verify: its forwarder takes B's messages here for the adopted sessions
    assertEquals(List.of(PeerKey.of("node-b")), match("s/1"));
    assertEquals(List.of(PeerKey.of("node-b")), members(groups("g/2")),
        "the group's copies too, for the adopted members or else the group's others");
    sut.peerGone("node-b");
    assertTrue(match("s/1").isEmpty(), "done: the adopted sessions subscribe here");
    assertTrue(groups("g/2").isEmpty());
  }

  @Test
  void sysTopicsAreNeverSentToPeers() {
    sut.peerAdded("node-b", "$SYS/#", 1);

    assertTrue(match("$SYS/broker/uptime").isEmpty());
  }

  private static List<String> members(List<SharedGroup> groups) {
    List<String> members = new ArrayList<>();
    for (SharedGroup g : groups) {
      g.members().forEach(m -> members.add(m.clientId()));
    }
    return members;
  }

  private List<SharedGroup> groups(String topic) {
    List<SharedGroup> groups = new ArrayList<>();
    sut.match(topic, new MatchSink() {
      @Override
      public void direct(SubscriptionEntry e) {
        throw new AssertionError("no plain filter was subscribed: " + e);
      }

      @Override
      public void shared(SharedGroup group) {
        groups.add(group);
      }
    });
    return groups;
  }

  private List<String> match(String topic) {
    List<String> keys = new ArrayList<>();
    sut.match(topic, new MatchSink() {
      @Override
      public void direct(SubscriptionEntry e) {
        keys.add(e.clientId());
      }

      @Override
      public void shared(SharedGroup group) {
        group.members().forEach(m -> keys.add(m.clientId()));
      }
    });
    return keys;
  }
}
