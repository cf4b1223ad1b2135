package org.ferrymq.cluster;

import org.ferrymq.engine.GroupAssignment;
import org.ferrymq.engine.SessionDelivery;
import org.ferrymq.message.Message;

/**
 * One message as it crosses to a peer: the message, and either the shared groups the peer
 * serves with it (routed there by topic), or the one session it is addressed to, or, for a
 * message that was on its way to a node that died, that node: the peer, which took over its
 * sessions, routes it to those sessions only ({@link Adoptions}).
 *
 * @param forDeparted the node that died, for a message sent again to its adopter; else null
 * @param session the session that moved to the peer a moment ago, which alone gets the
 *     message there; null for a message the peer routes
 */
record Forwarded(Message message, GroupAssignment groups, String forDeparted,
    SessionDelivery session) {

  /** A message the peer routes to its own subscribers and to the groups it was chosen for. */
  Forwarded(Message message, GroupAssignment groups) {
    this(message, groups, null, null);
  }

  /** A message for the sessions the peer adopted from {@code departed}. */
  Forwarded(Message message, GroupAssignment groups, String departed) {
    this(message, groups, departed, null);
  }

  /** A message for one session that moved to the peer. */
  Forwarded(Message message, GroupAssignment groups, SessionDelivery session) {
    this(message, groups, null, session);
  }

  /** @return this message, sent again to the adopter of {@code departed}, with no group */
  Forwarded redirected(String departed) {
    return new Forwarded(message, GroupAssignment.NONE,
        forDeparted != null ? forDeparted : departed, session);
  }
}
