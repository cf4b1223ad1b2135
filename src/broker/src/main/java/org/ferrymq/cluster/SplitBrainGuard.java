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
import java.util.logging.Logger;

/**
 * What a node does when the network splits its cluster (docs/cluster.md, "Split brain"): a side
 * with fewer than {@code mqtt.cluster.min-members} members may not change cluster-wide state (its
 * writes to the protected maps fail), and when the sides merge, the smaller side's entries are
 * discarded, so the state the majority kept wins and nothing the minority could not write
 * comes back. A member that merges back gets a new identity from Hazelcast; this node's
 * identity in FerryMQ (its filters, its peers' keys for it) is fixed at start, so such a node
 * reports that it must restart.
 */
final class SplitBrainGuard implements LifecycleListener {
  static final String PROTECTION = "ferrymq-majority";
  private static final Logger LOG = Logger.getLogger(SplitBrainGuard.class.getName());

  private final int minMembers;
  private final HazelcastInstance hazelcast;
  private volatile boolean merged;

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
      MapConfig map = hz.getMapConfig(name);
      map.setSplitBrainProtectionName(PROTECTION);
      map.getMergePolicyConfig().setPolicy(DiscardMergePolicy.class.getName());
    }
  }

  /**
   * @return whether this node's side may change cluster-wide state now; false also before the
   *     cluster first reached {@code mqtt.cluster.min-members} (Hazelcast's rule)
   */
  boolean quorate() {
    if (minMembers <= 1) {
      return true;
    }
    try {
      return hazelcast.getSplitBrainProtectionService().getSplitBrainProtection(PROTECTION)
          .hasMinimumSize();
    } catch (IllegalStateException e) {
      return false; // the member is shutting down
    }
  }

  int minMembers() {
    return minMembers;
  }

  /** @return whether this node merged back after a split and must restart */
  boolean mergedAfterSplit() {
    return merged;
  }

  @Override
  public void stateChanged(LifecycleEvent event) {
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
