package org.ferrymq.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;

/**
 * The receivers of one QoS 1/2 route whose copies last only while this node's side of its
 * cluster has quorum ({@link AckSafety}): its persistent sessions taking the message at QoS 1/2
 * (the majority adopts them in a split, and the merge keeps the majority's copies) and peers
 * that left this side unadopted. A side without quorum refuses the message before anyone has
 * it; a side that loses its quorum while the message is on its way fails it once every receiver
 * stored it, reporting the persistent sessions as not reached, since their copies will not last.
 * Made on the publisher's lane, then read by the route's barrier.
 */
final class QuorumBound {
  private static final QuorumBound REFUSED = new QuorumBound(null, List.of());

  private final AckSafety safety;
  /** Client id and shared filter (null for none) of each persistent session taking it. */
  private final List<String[]> sessions;

  private QuorumBound(AckSafety safety, List<String[]> sessions) {
    this.safety = safety;
    this.sessions = sessions;
  }

  /**
   * @param targets the route's receivers, each with its {@link Router.Target#target} looked up
   * @return null when no receiver's copy depends on the quorum (always so for QoS 0 and
   *     without {@code safety}); else the route's bound, {@link #refused} when the side lacks
   *     quorum now
   */
  static QuorumBound of(AckSafety safety, Message m, Collection<Router.Target> targets) {
    if (safety == null || m.qos() == QoS.AT_MOST_ONCE) {
      return null;
    }
    Boolean keepsAll = null;
    List<String[]> persistent = null;
    for (Router.Target t : targets) {
      boolean kept = t.target instanceof Session s && s.isPersistent()
          && t.qos != QoS.AT_MOST_ONCE;
      if (!kept && !(t.target instanceof PeerTarget)) {
        continue;
      }
      if (keepsAll == null) {
        keepsAll = safety.keepsAll();
      }
      if (kept) {
        if (!keepsAll) {
          return REFUSED;
        }
        if (persistent == null) {
          persistent = new ArrayList<>(2);
        }
        persistent.add(new String[] {t.clientId, t.sharedFilter});
      } else if (!keepsAll && !safety.keepsForPeer(((PeerTarget) t.target).node())) {
        return REFUSED;
      }
    }
    return persistent == null ? null : new QuorumBound(safety, persistent);
  }

  /** @return whether the message must fail before anyone has it */
  boolean refused() {
    return this == REFUSED;
  }

  /**
   * Once every receiver stored the message: whether the side lost its quorum meanwhile, so the
   * persistent sessions' copies will not last: they count as not reached ({@code breakOff},
   * which may be null), so an MQTT 3 publisher's resend reaches them again.
   *
   * @return whether the message fails
   */
  boolean lostSince(Router.BreakOff breakOff) {
    if (safety.keepsAll()) {
      return false;
    }
    if (breakOff != null) {
      sessions.forEach(s -> breakOff.failedAt(s[0], s[1]));
    }
    return true;
  }
}
