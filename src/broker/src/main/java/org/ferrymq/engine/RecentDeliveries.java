package org.ferrymq.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import org.ferrymq.message.Message;

/**
 * The messages a session took lately, by their cluster-wide identity ({@link MessageOrigin}),
 * kept for a bounded time after the session moved to this node. While its old node still
 * forwards what its peers route there, one message can reach the session twice (routed here
 * directly, and forwarded by the old node); the second is recognised here and not delivered
 * again: never for QoS 2 [MQTT-4.3.3-2], and not for QoS 0 and 1 either, which MQTT would allow
 * but which would double the session's traffic for the whole grace period. Bounded in size (the
 * oldest identities go first) and in time; a session that has not moved has none. Confined to
 * the session's lane.
 */
final class RecentDeliveries {
  /** Identities kept at most: far more than reach a session between a message's two copies. */
  static final int MAX_IDENTITIES = 50_000;

  private final LinkedHashSet<MessageOrigin> seen = new LinkedHashSet<>();
  private final long untilNanos;

  /**
   * @param carried identities the session brought along from its previous node
   * @param untilNanos when the memory ends ({@link System#nanoTime()})
   */
  RecentDeliveries(List<MessageOrigin> carried, long untilNanos) {
    this.untilNanos = untilNanos;
    carried.forEach(this::add);
  }

  /** @return whether the memory's time is over; nothing can arrive twice any more */
  boolean isOver(long nowNanos) {
    return nowNanos - untilNanos >= 0;
  }

  /**
   * Remembers a message the session takes.
   *
   * @return whether the session took it before; false for a message without an identity (an
   *     in-process publisher's, a Will), which is not remembered
   */
  boolean takenBefore(Message m) {
    MessageOrigin id = MessageOrigin.of(m);
    return id != null && !add(id);
  }

  /** @return the identities, oldest first, to travel with the session when it moves again */
  List<MessageOrigin> identities() {
    return new ArrayList<>(seen);
  }

  private boolean add(MessageOrigin id) {
    if (!seen.add(id)) {
      return false;
    }
    if (seen.size() > MAX_IDENTITIES) {
      Iterator<MessageOrigin> oldest = seen.iterator();
      oldest.next();
      oldest.remove();
    }
    return true;
  }
}
