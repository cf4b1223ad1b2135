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
  private static final char SEPARATOR = '\u0000';

  private final ReplicatedMap<String, String> map;
  private final String self;
  /** Members that left: what the map still says of them no longer counts here. */
  private final java.util.Set<String> departed =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Whether a node is a member of the cluster in this node's view now. */
  private final java.util.function.Predicate<String> member;
  private ClusterSubscriptionIndex index;

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
      apply(e.getKey(), e.getValue());
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
    departed.add(node);
    index.peerDeparted(node, adopter, adopter.equals(self));
    removeKeysOf(node);
  }

  /**
   * A member left unadopted ({@link Adoptions#unadopted}): its plain filters stay in the index
   * under its key, so what is published for its sessions here is refused rather than taken by
   * no one; its shared groups go, so their copies go to this side's members. Its keys go from
   * the map.
   */
  void memberCutOff(String node) {
    departed.add(node);
    index.peerCutOff(node);
    removeKeysOf(node);
  }

  /** Drops the filters of nodes that left before this one joined. */
  void forgetAllBut(java.util.Set<String> members) {
    map.keySet().stream().map(k -> k.substring(0, k.indexOf(SEPARATOR))).distinct()
        .filter(node -> !members.contains(node)).toList().forEach(node -> {
          departed.add(node);
          index.peerGone(node);
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
    apply(event.getKey(), event.getValue());
  }

  @Override
  public void entryUpdated(EntryEvent<String, String> event) {
    apply(event.getKey(), event.getValue());
  }

  @Override
  public void entryRemoved(EntryEvent<String, String> event) {
    apply(event.getKey(), null);
  }

  @Override
  public void entryEvicted(EntryEvent<String, String> event) {
    apply(event.getKey(), null);
  }

  @Override
  public void entryExpired(EntryEvent<String, String> event) {
    apply(event.getKey(), null);
  }

  @Override
  public void mapCleared(MapEvent event) {
    // never cleared: each node writes and removes its own keys only
  }

  @Override
  public void mapEvicted(MapEvent event) {
    // no eviction is configured for the directory
  }

  /** @param value the entry's value, null when it was removed */
  private void apply(String key, String value) {
    int at = key.indexOf(SEPARATOR);
    String node = key.substring(0, at);
    if (node.equals(self) || departed.contains(node)) {
      return;
    }
    String filter = key.substring(at + 1);
    if (value == null) {
      if (member.test(node)) {
        index.peerRemoved(node, filter);
      }
      // else another survivor dropped the keys of a member that left before this node's own
      // departure handling ran; that handling points them at the adopter (memberLeft)
    } else {
      index.peerAdded(node, filter, Topics.isShared(filter) ? members(value) : 1);
    }
  }

  /** @return a group's member count as announced; 1 for a value that is not one */
  private static int members(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
