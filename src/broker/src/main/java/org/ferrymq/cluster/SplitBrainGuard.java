package org.ferrymq.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import com.hazelcast.spi.merge.DiscardMergePolicy;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * What a node does when the network splits its cluster (docs/cluster.md, "Split brain"): a side
 * with fewer than {@code mqtt.cluster.min-members} members may not change cluster-wide state (its
 * writes to the protected maps fail; it adopts no session of a member on the other side, and
 * takes none from the cluster for a CONNECT), and when the sides merge, the smaller side's
 * entries are discarded, so the state the majority kept wins and nothing the minority wrote
 * comes back. A member that merges back gets a new identity from Hazelcast; this node's
 * identity in FerryMQ (its filters, its peers' keys for it) is fixed at start, so such a node
 * reports that it must restart.
 */
final class SplitBrainGuard implements LifecycleListener {
  static final String PROTECTION = "ferrymq-majority";
  /** How often, and how far apart, a join is looked at again until the side has its quorum. */
  private static final int QUORUM_CHECKS = 20;
  private static final long QUORUM_CHECK_MILLIS = 250;
  private static final Logger LOG = Logger.getLogger(SplitBrainGuard.class.getName());

  private final int minMembers;
  private final HazelcastInstance hazelcast;
  private volatile boolean merged;
  /** From the start of a merge: what this side kept must not reach the majority. */
  private volatile boolean merging;

  SplitBrainGuard(int minMembers, HazelcastInstance hazelcast) {
    this.minMembers = minMembers;
    this.hazelcast = hazelcast;
    hazelcast.getLifecycleService().addLifecycleListener(this);
  }

  /** Protects the maps that hold cluster-wide state, when the settings ask for protection. */
  static void protect(Config hz, ClusterConfig c, String... maps) {
    if (!c.splitBrainProtected()) {
      return;
    }
    hz.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(PROTECTION, true,
        c.minMembers()).setProtectOn(SplitBrainProtectionOn.WRITE));
    for (String name : maps) {
      hz.getMapConfig(name).setSplitBrainProtectionName(PROTECTION);
    }
    discardOnMerge(hz, c, maps);
  }

  /**
   * When the settings ask for protection, the smaller side's entries of these maps are dropped
   * when the sides merge: what a side without quorum wrote never overrides the majority's.
   */
  static void discardOnMerge(Config hz, ClusterConfig c, String... maps) {
    if (!c.splitBrainProtected()) {
      return;
    }
    for (String name : maps) {
      MapConfig map = hz.getMapConfig(name);
      map.getMergePolicyConfig().setPolicy(DiscardMergePolicy.class.getName());
    }
  }

  /**
   * @return whether this node's side may change cluster-wide state now; false also before the
   *     cluster first reached {@code mqtt.cluster.min-members} (Hazelcast's rule). The member
   *     count is read as well: Hazelcast updates its protection after the membership listeners
   *     may have run, and a member that left counts at once. False from the moment this node
   *     merges back after a split: what its side kept must not reach the majority, and it
   *     restarts.
   */
  boolean quorate() {
    if (minMembers <= 1) {
      return true;
    }
    if (merging) {
      return false;
    }
    try {
      return hazelcast.getCluster().getMembers().size() >= minMembers
          && hazelcast.getSplitBrainProtectionService().getSplitBrainProtection(PROTECTION)
              .hasMinimumSize();
    } catch (IllegalStateException e) {
      return false; // the member is shutting down
    }
  }

  /** @return why this side may not change cluster-wide state, for logs and reason strings */
  String noQuorum() {
    if (merging) {
      return "no quorum: this node merged back into its cluster after a split and must restart";
    }
    int members;
    try {
      members = hazelcast.getCluster().getMembers().size();
    } catch (IllegalStateException e) {
      members = 0;
    }
    return "no quorum: this node's side of the cluster has " + members + " of the " + minMembers
        + " members mqtt.cluster.min-members asks for";
  }

  /**
   * A member joined: runs {@code action} once this side is quorate. Hazelcast updates its
   * protection a moment after the join, so this looks again a few times, briefly; past that,
   * the next join looks again.
   */
  void afterJoin(Runnable action) {
    afterJoin(action, QUORUM_CHECKS);
  }

  private void afterJoin(Runnable action, int checksLeft) {
    if (quorate()) {
      action.run();
    } else if (checksLeft > 1) {
      CompletableFuture.runAsync(() -> afterJoin(action, checksLeft - 1),
          CompletableFuture.delayedExecutor(QUORUM_CHECK_MILLIS, TimeUnit.MILLISECONDS));
    }
  }

  int minMembers() {
    return minMembers;
  }

  /**
   * @return whether this node began merging back into its cluster after a split: from then on
   *     its sessions' writes stay off the cluster's maps, since what it holds is the minority's
   *     and the majority's state wins; never without the protection (min-members 1)
   */
  boolean mergingBack() {
    return minMembers > 1 && merging;
  }

  /** @return whether this node merged back after a split and must restart */
  boolean mergedAfterSplit() {
    return merged;
  }

  @Override
  public void stateChanged(LifecycleEvent event) {
    if (event.getState() == LifecycleEvent.LifecycleState.MERGING) {
      merging = true;
    } else if (event.getState() == LifecycleEvent.LifecycleState.MERGE_FAILED) {
      merging = false; // still on its own side, as before
    }
    if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
      merged = true;
      LOG.severe("This node was cut off from its cluster and has merged back into it as a new "
          + "member: restart this server so that it rejoins with its subscriptions announced "
          + "anew (its /health/live check ferrymq-cluster is DOWN until then)");
    }
  }

  /** @return whether a failed cluster write was refused because this side lacks members */
  static boolean refusedForSplit(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SplitBrainProtectionException) {
        return true;
      }
    }
    return false;
  }
}
