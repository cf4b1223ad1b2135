package org.ferrymq.cluster;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.ferrymq.engine.PeerKey;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.packet.Subscription;
import org.ferrymq.topic.MatchSink;
import org.ferrymq.topic.SubscriptionEntry;
import org.ferrymq.topic.SubscriptionIndex;
import org.ferrymq.topic.SubscriptionTree;
import org.ferrymq.topic.Topics;

/**
 * The broker's subscription index in a cluster: this node's own subscriptions in a local
 * {@link SubscriptionTree}, and, in a second tree, the topic filters the other nodes have
 * subscribers for. A match reports the local entries as usual and each matching filter of a
 * peer under that peer's {@link PeerKey}; the router merges entries with one key (as it merges
 * overlapping subscriptions of one client) into one delivery per peer, so the engine forwards a
 * message once, and only to the nodes that want it.
 *
 * <p>Kept incrementally: this node announces a filter to the {@link Announcer} when its first
 * subscription (of any client, in-process ones included) with that filter arrives and withdraws
 * it when the last one goes; the peers' announcements arrive through {@link #peerAdded} and
 * {@link #peerRemoved}. A peer entry asks for QoS 2 with Retain As Published, so the message
 * crosses with the publisher's QoS and RETAIN flag and the peer applies its subscribers'
 * options.
 *
 * <p>A shared subscription is announced as its group ({@code $share/<name>/<filter>}) with the
 * node's member count, announced again when the count changes. A peer's group is a member of
 * the same group in the peers' tree, under the peer's key, and {@link #weight} is the peer's
 * member count, so that the router can choose one node per group and message [MQTT-4.8.2].
 *
 * <p>Thread-safe: the lanes subscribe and match concurrently, Hazelcast's event threads apply
 * the peers' changes; a filter's count and its announcement change together.
 */
final class ClusterSubscriptionIndex implements SubscriptionIndex {

  /** Where this node's filters are announced to the cluster. */
  interface Announcer {
    /**
     * @param filter a plain filter, or a shared group as {@code $share/<name>/<filter>}
     * @param subscriptions the node's subscriptions with it now (a group's member count)
     */
    void announce(String filter, int subscriptions);

    void withdraw(String filter);
  }

  private static final char SEPARATOR = '\u0000';
  private final SubscriptionIndex local;
  private final SubscriptionTree peers = new SubscriptionTree();
  private final Map<String, Integer> counts = new ConcurrentHashMap<>();
  /** The peers' member counts of their groups, under peer key + U+0000 + group. */
  private final Map<String, Integer> peerMembers = new ConcurrentHashMap<>();
  /**
   * Entries pointed at an adopter for a peer that left (peer key of the adopter + U+0000 +
   * filter, to the peer that left), until the adopter announces the filter itself or says it
   * is done.
   */
  private final Map<String, String> borrowed = new ConcurrentHashMap<>();
  private final Announcer announcer;

  ClusterSubscriptionIndex(SubscriptionIndex local, Announcer announcer) {
    this.local = local;
    this.announcer = announcer;
  }

  @Override
  public boolean subscribe(SubscriptionEntry entry) {
    boolean added = local.subscribe(entry);
    if (added) {
      boolean shared = entry.isShared();
      counts.compute(entry.fullFilter(), (filter, n) -> {
        int now = n == null ? 1 : n + 1;
        // a plain filter's count stays on this node; a group's is its weight on the peers
        if (n == null || shared) {
          announcer.announce(filter, now);
        }
        return now;
      });
    }
    return added;
  }

  @Override
  public boolean unsubscribe(String clientId, String fullFilter) {
    boolean removed = local.unsubscribe(clientId, fullFilter);
    if (removed) {
      release(fullFilter);
    }
    return removed;
  }

  @Override
  public List<SubscriptionEntry> unsubscribeAll(String clientId) {
    List<SubscriptionEntry> removed = local.unsubscribeAll(clientId);
    removed.forEach(e -> release(e.fullFilter()));
    return removed;
  }

  private void release(String fullFilter) {
    counts.computeIfPresent(fullFilter, (f, n) -> {
      if (n == 1) {
        announcer.withdraw(f);
        return null;
      }
      if (Topics.isShared(f)) {
        announcer.announce(f, n - 1);
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

  /** @return a peer's member count of the group for a peer's entry, else 1 */
  @Override
  public int weight(SubscriptionEntry member) {
    if (!member.isShared() || !PeerKey.is(member.clientId())) {
      return 1;
    }
    return peerMembers.getOrDefault(member.clientId() + SEPARATOR + member.fullFilter(), 1);
  }

  /**
   * A peer announced that it has subscribers for a filter, or how many members it has of a
   * group ({@code $share/<name>/<filter>}) now.
   *
   * @return whether this changed the index (false when it had the announcement already)
   */
  boolean peerAdded(String node, String filter, int subscriptions) {
    String key = PeerKey.of(node);
    boolean changed = borrowed.remove(key + SEPARATOR + filter) != null;
    changed |= peers.subscribe(peerEntry(key, filter));
    if (Topics.isShared(filter)) {
      int members = Math.max(1, subscriptions);
      Integer before = peerMembers.put(key + SEPARATOR + filter, members);
      changed |= before == null || before != members;
    }
    return changed;
  }

  /**
   * A peer withdrew a filter or group.
   *
   * @return whether this changed the index (false when it had no such filter of the peer)
   */
  boolean peerRemoved(String node, String filter) {
    String key = PeerKey.of(node);
    boolean changed = borrowed.remove(key + SEPARATOR + filter) != null;
    changed |= peers.unsubscribe(key, filter);
    return peerMembers.remove(key + SEPARATOR + filter) != null || changed;
  }

  /**
   * @return the digest of what this index mirrors of the peer's announcements; one copy of
   *     the list of the peer's entries, nothing per entry but for groups and borrowed filters
   */
  FilterDigest mirrorOf(String node) {
    FilterDigest digest = new FilterDigest();
    forEachMirrored(node, (filter, members) -> digest.add(filter.hashCode(), members));
    return digest;
  }

  /** @return the peer's filters and groups this index mirrors, with their member counts */
  Map<String, Integer> mirroredOf(String node) {
    Map<String, Integer> mirrored = new java.util.HashMap<>();
    forEachMirrored(node, mirrored::put);
    return mirrored;
  }

  /**
   * Gives each filter and group of the peer this index has from the peer's announcements
   * with its member count (1 for a plain filter); the filters borrowed for a peer that left
   * are not the peer's announcements.
   */
  private void forEachMirrored(String node,
      java.util.function.ObjIntConsumer<String> action) {
    String key = PeerKey.of(node);
    boolean anyBorrowed = !borrowed.isEmpty();
    for (SubscriptionEntry e : peers.subscriptionsOf(key)) {
      String filter = e.fullFilter();
      if (!anyBorrowed || !borrowed.containsKey(key + SEPARATOR + filter)) {
        action.accept(filter, e.isShared()
            ? peerMembers.getOrDefault(key + SEPARATOR + filter, 1) : 1);
      }
    }
  }

  private static SubscriptionEntry peerEntry(String key, String filter) {
    return SubscriptionEntry.of(key, new Subscription(filter, QoS.EXACTLY_ONCE, false, true,
        RetainHandling.SEND_ON_SUBSCRIBE), 0);
  }

  /** A peer left the cluster: none of its filters count any more. */
  void peerGone(String node) {
    String key = PeerKey.of(node);
    peers.unsubscribeAll(key);
    peerMembers.keySet().removeIf(k -> k.startsWith(key + SEPARATOR));
    borrowed.keySet().removeIf(k -> k.startsWith(key + SEPARATOR));
  }

  /**
   * A peer left, and {@code adopter} takes its persistent sessions over: the peer's filters and
   * shared groups point at the adopter from now on, borrowed until the adopter announces them
   * itself or says it is done ({@link #adoptionDone}), so what is published for those sessions
   * meanwhile goes where they will be, also for a group whose only members were there. A group
   * copy the adopter gets and has no member for (the peer's members had clean sessions) goes
   * on to the group's other members. When this node is the adopter, the entries stay under the
   * peer's key, whose messages this node's forwarder keeps here for the adopted sessions (and
   * passes a group's copy to the group's members here once they are in place), until it is
   * done.
   */
  void peerDeparted(String node, String adopter, boolean adoptedHere) {
    String from = PeerKey.of(node);
    String to = PeerKey.of(adopter);
    if (adoptedHere) {
      return;
    }
    for (SubscriptionEntry e : peers.subscriptionsOf(from)) {
      if (peers.subscribe(peerEntry(to, e.fullFilter()))) {
        borrowed.put(to + SEPARATOR + e.fullFilter(), node);
      }
    }
    peerMembers.keySet().removeIf(k -> k.startsWith(from + SEPARATOR));
    peers.unsubscribeAll(from);
  }

  /**
   * A peer left and nobody on this side adopts its sessions: its plain filters stay under its
   * key (what matches them is forwarded there, and fails), its shared groups go, so a group's
   * copy goes to the members on this side.
   */
  void peerCutOff(String node) {
    String key = PeerKey.of(node);
    for (SubscriptionEntry e : peers.subscriptionsOf(key)) {
      if (e.isShared()) {
        peers.unsubscribe(key, e.fullFilter());
      }
    }
    peerMembers.keySet().removeIf(k -> k.startsWith(key + SEPARATOR));
  }

  /**
   * The adopter of {@code departed} is done: the filters borrowed for it go, but for those the
   * adopter announces itself now (its announcement may still be on its way here).
   */
  void adoptionDone(String adopter, String departed, java.util.Set<String> adopterFilters) {
    String key = PeerKey.of(adopter);
    borrowed.forEach((borrowedKey, from) -> {
      if (from.equals(departed) && borrowedKey.startsWith(key + SEPARATOR)
          && borrowed.remove(borrowedKey, from)) {
        String filter = borrowedKey.substring(key.length() + 1);
        if (!adopterFilters.contains(filter)) {
          peers.unsubscribe(key, filter);
        }
      }
    });
  }

  /** @return whether this index routes messages matching {@code filter} to the peer now */
  boolean routesToPeer(String node, String filter) {
    return peers.subscriptionsOf(PeerKey.of(node)).stream()
        .anyMatch(e -> e.fullFilter().equals(filter));
  }

  /** @return the filters this node announces, for diagnostics and tests */
  java.util.Set<String> announced() {
    return java.util.Set.copyOf(counts.keySet());
  }
}
