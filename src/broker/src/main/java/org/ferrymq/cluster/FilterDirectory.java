package org.ferrymq.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.map.MapEvent;
import com.hazelcast.replicatedmap.ReplicatedMap;
import java.util.Map;
import org.ferrymq.topic.Topics;

/**
 * The cluster-wide directory of which node has subscribers for which topic filter: a Hazelcast
 * replicated map (a full copy on every member, changes replicated asynchronously) whose keys are
 * {@code node + U+0000 + filter}, and whose values are the node's member count for a shared
 * group ({@code $share/<name>/<filter>}, the node's weight when a publisher's node chooses the
 * node that serves the group) and the filter itself for a plain filter (not read). Each node
 * writes only its own keys ({@link
 * ClusterSubscriptionIndex.Announcer}) and mirrors everyone else's into its index; when a member
 * leaves, the others drop its keys, and their indexes point its filters at the node adopting its
 * sessions for a while. Only filters cross the network, never client ids or
 * per-client state: the directory grows with distinct filters per node, not with subscribers.
 */
final class FilterDirectory implements ClusterSubscriptionIndex.Announcer,
    EntryListener<String, String> {
  static final char SEPARATOR = '\u0000';

  private final ReplicatedMap<String, String> map;
  private final String self;
  /** Members that left: what the map still says of them no longer counts here. */
  private final java.util.Set<String> departed =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Whether a node is a member of the cluster in this node's view now. */
  private final java.util.function.Predicate<String> member;
  private ClusterSubscriptionIndex index;
  /**
   * Held while a change is applied to the index, by the event threads, a departure and a
   * {@link #repair}. A repair reads the map's entry and applies it in one step; the map holds a
   * change before its event is delivered, and one key's events come in order, so the last one
   * applied after a repair is that of the latest change: a repair never undoes an event.
   */
  private final Object applying = new Object();

  FilterDirectory(ReplicatedMap<String, String> map, String self,
      java.util.function.Predicate<String> member) {
    this.map = map;
    this.self = self;
    this.member = member;
  }

  /** Starts mirroring the peers' filters into {@code target}, those announced so far first. */
  void mirrorInto(ClusterSubscriptionIndex target) {
    this.index = target;
    map.addEntryListener(this);
    for (Map.Entry<String, String> e : map.entrySet()) {
      applyEvent(e.getKey(), e.getValue());
    }
  }

  /** @return the index this directory is mirrored into; null before {@link #mirrorInto} */
  ClusterSubscriptionIndex index() {
    return index;
  }

  /** @return the directory as this node's member holds it now (a replicated map: local reads) */
  ReplicatedMap<String, String> map() {
    return map;
  }

  /** @return whether the node left, in this node's view: its entries are not mirrored */
  boolean departed(String node) {
    return departed.contains(node);
  }

  /**
   * Applies the directory's entry as it is now to the index, as its event would have: a peer's
   * filter the map has is added, one it has not is removed. For a reconciliation, which finds
   * the entries an event never brought.
   *
   * @return whether the index changed
   */
  boolean repair(String key) {
    synchronized (applying) {
      return apply(key, map.get(key));
    }
  }

  @Override
  public void announce(String filter, int subscriptions) {
    map.put(self + SEPARATOR + filter,
        Topics.isShared(filter) ? Integer.toString(subscriptions) : filter);
  }

  @Override
  public void withdraw(String filter) {
    map.remove(self + SEPARATOR + filter);
  }

  /**
   * A member left: its filters point at the node that adopts its sessions in the index
   * ({@link ClusterSubscriptionIndex#peerDeparted}), and go from the map (any survivor may do
   * it).
   */
  void memberLeft(String node, String adopter) {
    synchronized (applying) {
      departed.add(node);
      index.peerDeparted(node, adopter, adopter.equals(self));
    }
    removeKeysOf(node);
  }

  /**
   * A member left unadopted ({@link Adoptions#unadopted}): its plain filters stay in the index
   * under its key, so what is published for its sessions here is refused rather than taken by
   * no one; its shared groups go, so their copies go to this side's members. Its keys go from
   * the map.
   */
  void memberCutOff(String node) {
    synchronized (applying) {
      departed.add(node);
      index.peerCutOff(node);
    }
    removeKeysOf(node);
  }

  /** Drops the filters of nodes that left before this one joined. */
  void forgetAllBut(java.util.Set<String> members) {
    map.keySet().stream().map(k -> k.substring(0, k.indexOf(SEPARATOR))).distinct()
        .filter(node -> !members.contains(node)).toList().forEach(node -> {
          synchronized (applying) {
            departed.add(node);
            index.peerGone(node);
          }
          removeKeysOf(node);
        });
  }

  private void removeKeysOf(String node) {
    // the map's key set is a read-only view: each key goes by itself
    for (String key : java.util.List.copyOf(map.keySet())) {
      if (key.startsWith(node + SEPARATOR)) {
        map.remove(key);
      }
    }
  }

  /** @return whether the directory, as this node sees it, has the node's filter */
  boolean has(String node, String filter) {
    return map.containsKey(node + SEPARATOR + filter);
  }

  @Override
  public void entryAdded(EntryEvent<String, String> event) {
    applyEvent(event.getKey(), event.getValue());
  }

  @Override
  public void entryUpdated(EntryEvent<String, String> event) {
    applyEvent(event.getKey(), event.getValue());
  }

  @Override
  public void entryRemoved(EntryEvent<String, String> event) {
    applyEvent(event.getKey(), null);
  }

  @Override
  public void entryEvicted(EntryEvent<String, String> event) {
    applyEvent(event.getKey(), null);
  }

  @Override
  public void entryExpired(EntryEvent<String, String> event) {
    applyEvent(event.getKey(), null);
  }

  @Override
  public void mapCleared(MapEvent event) {
    // never cleared: each node writes and removes its own keys only
  }

  @Override
  public void mapEvicted(MapEvent event) {
    // no eviction is configured for the directory
  }

  private void applyEvent(String key, String value) {
    synchronized (applying) {
      apply(key, value);
    }
  }

  /**
   * @param value the entry's value, null when it was removed
   * @return whether the index changed
   */
  private boolean apply(String key, String value) {
    int at = key.indexOf(SEPARATOR);
    String node = key.substring(0, at);
    if (node.equals(self) || departed.contains(node)) {
      return false;
    }
    String filter = key.substring(at + 1);
    if (value == null) {
      // a node that is no member: another survivor dropped the keys of a member that left
      // before this node's own departure handling ran; that handling points them at the
      // adopter (memberLeft)
      return member.test(node) && index.peerRemoved(node, filter);
    }
    return index.peerAdded(node, filter, Topics.isShared(filter) ? members(value) : 1);
  }

  /** @return a group's member count as announced; 1 for a value that is not one */
  static int members(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
