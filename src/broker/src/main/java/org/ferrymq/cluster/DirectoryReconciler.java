package org.ferrymq.cluster;

import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.replicatedmap.ReplicatedMap;
import com.hazelcast.spi.impl.AbstractDistributedObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.topic.Topics;

/**
 * Repairs what this node's index mirrors of the peers' filters from the directory's content,
 * every few seconds. The index follows the directory's events; Hazelcast's anti-entropy
 * repairs a member's copy of the replicated map that missed an update without any event, and
 * an index that misses a peer's filter routes nothing to that peer: what its subscribers should
 * get would be settled as taken by no one, and acknowledged.
 *
 * <p>A run digests each member peer's entries in the map in one pass ({@link FilterDigest}) and
 * compares them with the index's; a peer whose digests differ is compared entry by entry. An
 * entry is repaired when it differed in two runs in a row, so that an event still on its way
 * is not taken for a missed one, and through {@link FilterDirectory#repair}: the map's entry as
 * it is then, applied as its event would be, under the lock the events take. The node's own
 * entries, and those of nodes that left, are not looked at.
 *
 * <p>Runs on Hazelcast's own scheduled executor (the one its replicated map's anti-entropy
 * runs on), one run at a time; reached through Hazelcast's internal {@code NodeEngine}, as
 * {@link JoinGuard} is.
 */
final class DirectoryReconciler implements Runnable {
  private static final Logger LOG = Logger.getLogger(DirectoryReconciler.class.getName());

  private final FilterDirectory directory;
  private final String self;
  private final Supplier<Set<String>> members;
  /** The entries that differed in the last run: repaired if they still differ. */
  private volatile Set<String> suspects = Set.of();

  DirectoryReconciler(FilterDirectory directory, String self, Supplier<Set<String>> members) {
    this.directory = directory;
    this.self = self;
    this.members = members;
  }

  /** @return the runs, every {@code seconds}, until the future is cancelled */
  ScheduledFuture<?> runEvery(int seconds) {
    return ((AbstractDistributedObject<?>) directory.map()).getNodeEngine().getExecutionService()
        .scheduleWithRepetition(this, seconds, seconds, TimeUnit.SECONDS);
  }

  @Override
  public void run() {
    try {
      int repaired = reconcile();
      if (repaired > 0) {
        LOG.warning(() -> "Repaired " + repaired + " of the peers' filters in this node's "
            + "subscription index, which the cluster's directory had otherwise: an update "
            + "reached this member without its event (Hazelcast's anti-entropy)");
      } else {
        LOG.fine("The subscription index mirrors the cluster's directory");
      }
    } catch (HazelcastInstanceNotActiveException e) {
      // the member is shutting down; the run is cancelled with it
    } catch (RuntimeException e) {
      // a failed run must not end the runs to come
      LOG.log(Level.WARNING, "Could not reconcile the subscription index with the directory", e);
    }
  }

  /** @return the entries repaired in the index */
  int reconcile() {
    List<String> peers = new ArrayList<>();
    for (String node : members.get()) {
      if (!node.equals(self) && !directory.departed(node)) {
        peers.add(node);
      }
    }
    Set<String> differing = new HashSet<>();
    for (String node : differingPeers(peers)) {
      differing.addAll(differingKeys(node));
    }
    int repaired = 0;
    for (String key : differing) {
      if (suspects.contains(key) && directory.repair(key)) {
        repaired++;
      }
    }
    suspects = differing;
    return repaired;
  }

  /** @return the peers whose entries in the map and in the index differ */
  private List<String> differingPeers(List<String> peers) {
    List<FilterDigest> inMap = new ArrayList<>();
    peers.forEach(p -> inMap.add(new FilterDigest()));
    for (Map.Entry<String, String> e : directory.map().entrySet()) {
      String key = e.getKey();
      int peer = peerOf(key, peers);
      if (peer >= 0) {
        int at = peers.get(peer).length() + 1;
        inMap.get(peer).add(FilterDigest.hashFrom(key, at), membersOf(key, at, e.getValue()));
      }
    }
    List<String> differing = new ArrayList<>();
    for (int i = 0; i < peers.size(); i++) {
      if (!inMap.get(i).equals(directory.index().mirrorOf(peers.get(i)))) {
        differing.add(peers.get(i));
      }
    }
    return differing;
  }

  /** @return the keys of the peer's entries that the map and the index have otherwise */
  private Set<String> differingKeys(String node) {
    String prefix = node + FilterDirectory.SEPARATOR;
    Map<String, Integer> mirrored = directory.index().mirroredOf(node);
    Set<String> differing = new HashSet<>();
    for (Map.Entry<String, String> e : directory.map().entrySet()) {
      String key = e.getKey();
      if (key.startsWith(prefix)) {
        Integer had = mirrored.remove(key.substring(prefix.length()));
        if (had == null || had != membersOf(key, prefix.length(), e.getValue())) {
          differing.add(key);
        }
      }
    }
    mirrored.keySet().forEach(filter -> differing.add(prefix + filter));
    return differing;
  }

  /** @return the index of the peer whose entry the key is, -1 for none */
  private static int peerOf(String key, List<String> peers) {
    for (int i = 0; i < peers.size(); i++) {
      String node = peers.get(i);
      if (key.length() > node.length() && key.charAt(node.length()) == FilterDirectory.SEPARATOR
          && key.startsWith(node)) {
        return i;
      }
    }
    return -1;
  }

  /** @return the member count the index keeps for the entry, as the event path computes it */
  private static int membersOf(String key, int filterAt, String value) {
    return key.startsWith(Topics.SHARE_PREFIX, filterAt)
        ? Math.max(1, FilterDirectory.members(value)) : 1;
  }
}
