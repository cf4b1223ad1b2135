package org.ferrymq.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;

/**
 * The QoS 2 messages a session took lately, by their cluster-wide identity ({@link Qos2Origin}),
 * kept for a bounded time after the session moved to this node. While its old node still
 * forwards what its peers route there, one message can reach the session twice (routed here
 * directly, and forwarded by the old node); the second is recognised here and not delivered
 * again [MQTT-4.3.3-2]. Bounded in size (the oldest identities go first) and in time; a session
 * that has not moved has none. Confined to the session's lane.
 */
final class RecentQos2Deliveries {
  /** Identities kept at most; far more than a session takes during a handover's grace. */
  static final int MAX_IDENTITIES = 50_000;

  private final LinkedHashSet<Qos2Origin> seen = new LinkedHashSet<>();
  private final long untilNanos;

  /**
   * @param carried identities the session brought along from its previous node
   * @param untilNanos when the memory ends ({@link System#nanoTime()})
   */
  RecentQos2Deliveries(List<Qos2Origin> carried, long untilNanos) {
    this.untilNanos = untilNanos;
    carried.forEach(this::add);
  }

  /** @return whether the memory's time is over; nothing can arrive twice any more */
  boolean isOver(long nowNanos) {
    return nowNanos - untilNanos >= 0;
  }

  /**
   * Remembers a message the session takes at QoS 2.
   *
   * @return whether the session took it before; false for a message without an identity (an
   *     in-process publisher's) and for QoS 0/1, which are not remembered
   */
  boolean takenBefore(Message m, QoS qos) {
    if (qos != QoS.EXACTLY_ONCE || m.originSequence() == 0 || m.originClientId().isEmpty()) {
      return false;
    }
    return !add(new Qos2Origin(m.originClientId(), m.originSequence()));
  }

  /** @return the identities, oldest first, to travel with the session when it moves again */
  List<Qos2Origin> identities() {
    return new ArrayList<>(seen);
  }

  private boolean add(Qos2Origin id) {
    if (!seen.add(id)) {
      return false;
    }
    if (seen.size() > MAX_IDENTITIES) {
      Iterator<Qos2Origin> oldest = seen.iterator();
      oldest.next();
      oldest.remove();
    }
    return true;
  }
}
