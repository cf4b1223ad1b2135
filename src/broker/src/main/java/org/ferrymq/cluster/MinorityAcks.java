package org.ferrymq.cluster;

import com.hazelcast.core.HazelcastInstance;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.ferrymq.engine.AckSafety;

/**
 * Which QoS 1/2 messages a node may acknowledge on a side of a network split without quorum
 * (docs/cluster.md, "Split brain"): none that would reach a persistent session of this node,
 * whose copy the majority adopts and the merge keeps, nor one for a member that left this side
 * unadopted ({@link Adoptions#unadopted}). The engine then fails them before anyone has them.
 * Logs once per episode without quorum, when a message first asks. Thread-safe.
 */
final class MinorityAcks implements AckSafety {
  private static final Logger LOG = Logger.getLogger(MinorityAcks.class.getName());

  private final SplitBrainGuard guard;
  private final Adoptions adoptions;
  private final HazelcastInstance hazelcast;
  /** Whether this episode without quorum was logged; cleared when the quorum is back. */
  private final AtomicBoolean logged = new AtomicBoolean();

  MinorityAcks(SplitBrainGuard guard, Adoptions adoptions, HazelcastInstance hazelcast) {
    this.guard = guard;
    this.adoptions = adoptions;
    this.hazelcast = hazelcast;
  }

  @Override
  public boolean keepsAll() {
    if (guard.quorate()) {
      if (logged.get()) {
        logged.set(false);
      }
      return true;
    }
    if (logged.compareAndSet(false, true)) {
      LOG.warning(() -> "QoS 1/2 messages for persistent sessions (session expiry above 0, "
          + "MQTT 3 clean session 0) of this node, and for the members this side did not "
          + "adopt, are refused until this node's side has its quorum again "
          + "(mqtt.cluster.min-members): "
          + guard.noQuorum());
    }
    return false;
  }

  /** A member that left a moment ago, its departure not handled yet, may be unadopted too. */
  @Override
  public boolean keepsForPeer(String node) {
    return !adoptions.unadopted(node) && ClusterNode.member(hazelcast, node) != null;
  }
}
