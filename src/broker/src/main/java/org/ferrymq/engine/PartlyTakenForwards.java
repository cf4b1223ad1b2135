package org.ferrymq.engine;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ferrymq.message.Message;

/**
 * The messages forwarded to this node whose routing here broke off (a delivery threw, the rest
 * took the message), each with the sessions here that took it, by the message's cluster-wide
 * identity ({@link MessageOrigin}). The node settles such a message as failed, and an MQTT 3
 * publisher then resends it with the same identity (its QoS 2 receipt keeps the number); its
 * node leaves out its own receivers and the peers that took it, but forwards the resend here
 * as a whole. Here the resend reaches only the sessions that missed it, so none gets a QoS 2
 * message twice [MQTT-4.3.3-2].
 *
 * <p>Bounded by the receivers remembered, the oldest message first: an MQTT 5 publisher, told
 * 0x80, never resends with the same identity, so its entries stay until pushed out. Only a
 * clustered broker has one. Thread-safe: a break-off is reported on a receiver's lane, a resend
 * routed on its publisher's; the routes of messages that broke off nowhere read one volatile
 * field.
 */
final class PartlyTakenForwards {
  /** Receivers remembered at most, over all messages: failed deliveries are rare. */
  static final int MAX_RECEIVERS = 100_000;

  private final Map<MessageOrigin, AlreadyRouted> taken = new LinkedHashMap<>();
  private int receivers;
  private volatile boolean empty = true;

  /** A forwarded message broke off here after {@code took} had it. */
  void brokeOff(Message m, AlreadyRouted took) {
    MessageOrigin id = MessageOrigin.of(m);
    if (id == null) {
      return;
    }
    synchronized (this) {
      AlreadyRouted before = taken.put(id, took);
      receivers += took.size() - (before == null ? 0 : before.size());
      Iterator<AlreadyRouted> oldest = taken.values().iterator();
      while (receivers > MAX_RECEIVERS && taken.size() > 1) {
        receivers -= oldest.next().size();
        oldest.remove();
      }
      empty = false;
    }
  }

  /**
   * A forwarded message is routed here: forgets it.
   *
   * @return the sessions here that took it when its routing broke off before, to be left out;
   *     null for a message that broke off nowhere
   */
  AlreadyRouted resent(Message m) {
    if (empty) {
      return null;
    }
    MessageOrigin id = MessageOrigin.of(m);
    if (id == null) {
      return null;
    }
    synchronized (this) {
      AlreadyRouted took = taken.remove(id);
      if (took != null) {
        receivers -= took.size();
        empty = taken.isEmpty();
      }
      return took;
    }
  }
}
