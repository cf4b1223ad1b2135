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
        public void announce(String filter) {
          announcements.add("+" + filter);
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

    assertEquals(List.of("+a/+", "-a/+"), announcements);
  }

  @Test
  void thePeersWithAMatchingFilterAreReportedBesideTheLocalEntries() {
    sut.subscribe(entry("local", "t/1"));
    sut.peerAdded("node-b", "t/+");
    sut.peerAdded("node-b", "t/#");
    sut.peerAdded("node-c", "other/#");

    List<String> matched = match("t/1");

    // node-b's two matching filters share its key: the router makes them one delivery
    assertEquals(java.util.Set.of("local", PeerKey.of("node-b")), java.util.Set.copyOf(matched));
    assertEquals(1, sut.size(), "the peers' filters are not this node's subscriptions");
  }

  @Test
  void aPeerThatWithdrewOrLeftIsNoLongerReported() {
    sut.peerAdded("node-b", "t/+");
    sut.peerAdded("node-c", "t/#");
    sut.peerRemoved("node-b", "t/+");
    sut.peerGone("node-c");

    assertTrue(match("t/1").isEmpty());
  }

  @Test
  void sysTopicsAreNeverSentToPeers() {
    sut.peerAdded("node-b", "$SYS/#");

    assertTrue(match("$SYS/broker/uptime").isEmpty());
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
