package org.ferrymq.cluster;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.ferrymq.engine.PeerKey;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.topic.MatchSink;
import org.ferrymq.topic.SubscriptionEntry;
import org.ferrymq.topic.SubscriptionIndex;
import org.ferrymq.topic.SubscriptionTree;

/**
 * The broker's subscription index in a cluster: this node's own subscriptions in a local
 * {@link SubscriptionTree}, and, in a second tree, the topic filters the other nodes have
 * subscribers for. A match reports the local entries as usual and each matching filter of a
 * peer under that peer's {@link PeerKey}; the router merges entries with one key (as it merges
 * overlapping subscriptions of one client) into one delivery per peer, so the engine forwards a
 * message once, and only to the nodes that want it.
 *
 * <p>Kept incrementally: this node announces a filter to the {@link Announcer} when its first
 * subscription (of any client, shared or not) with that filter arrives and withdraws it when the
 * last one goes; the peers' announcements arrive through {@link #peerAdded} and {@link
 * #peerRemoved}. A peer entry asks for QoS 2 with Retain As Published, so the message crosses
 * with the publisher's QoS and RETAIN flag and the peer applies its subscribers' options.
 *
 * <p>Thread-safe: the lanes subscribe and match concurrently, Hazelcast's event threads apply
 * the peers' changes; a filter's count and its announcement change together.
 */
final class ClusterSubscriptionIndex implements SubscriptionIndex {

  /** Where this node's filters are announced to the cluster. */
  interface Announcer {
    void announce(String filter);

    void withdraw(String filter);
  }

  private final SubscriptionIndex local;
  private final SubscriptionTree peers = new SubscriptionTree();
  private final Map<String, Integer> counts = new ConcurrentHashMap<>();
  private final Announcer announcer;

  ClusterSubscriptionIndex(SubscriptionIndex local, Announcer announcer) {
    this.local = local;
    this.announcer = announcer;
  }

  @Override
  public boolean subscribe(SubscriptionEntry entry) {
    boolean added = local.subscribe(entry);
    if (added) {
      counts.compute(entry.filter(), (filter, n) -> {
        if (n == null) {
          announcer.announce(filter);
          return 1;
        }
        return n + 1;
      });
    }
    return added;
  }

  @Override
  public boolean unsubscribe(String clientId, String fullFilter) {
    List<SubscriptionEntry> before = local.subscriptionsOf(clientId);
    boolean removed = local.unsubscribe(clientId, fullFilter);
    if (removed) {
      before.stream().filter(e -> e.fullFilter().equals(fullFilter)).findFirst()
          .ifPresent(e -> release(e.filter()));
    }
    return removed;
  }

  @Override
  public List<SubscriptionEntry> unsubscribeAll(String clientId) {
    List<SubscriptionEntry> removed = local.unsubscribeAll(clientId);
    removed.forEach(e -> release(e.filter()));
    return removed;
  }

  private void release(String filter) {
    counts.computeIfPresent(filter, (f, n) -> {
      if (n == 1) {
        announcer.withdraw(f);
        return null;
      }
      return n - 1;
    });
  }

  /** {@code $SYS} topics are each node's own: its peers publish theirs themselves. */
  @Override
  public void match(String topic, MatchSink sink) {
    local.match(topic, sink);
    if (!topic.startsWith("$SYS/")) {
      peers.match(topic, sink);
    }
  }

  @Override
  public List<SubscriptionEntry> subscriptionsOf(String clientId) {
    return local.subscriptionsOf(clientId);
  }

  /** @return this node's subscriptions; the peers' filters are not subscriptions here */
  @Override
  public int size() {
    return local.size();
  }

  /** A peer announced that it has subscribers for a filter. */
  void peerAdded(String node, String filter) {
    peers.subscribe(new SubscriptionEntry(PeerKey.of(node), filter, null, QoS.EXACTLY_ONCE,
        false, true, RetainHandling.SEND_ON_SUBSCRIBE, 0));
  }

  /** A peer withdrew a filter. */
  void peerRemoved(String node, String filter) {
    peers.unsubscribe(PeerKey.of(node), filter);
  }

  /** A peer left the cluster: none of its filters count any more. */
  void peerGone(String node) {
    peers.unsubscribeAll(PeerKey.of(node));
  }

  /** @return the filters this node announces, for diagnostics and tests */
  java.util.Set<String> announced() {
    return java.util.Set.copyOf(counts.keySet());
  }
}
