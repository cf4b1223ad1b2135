package org.ferrymq.cluster;

import org.ferrymq.engine.GroupAssignment;
import org.ferrymq.engine.SessionDelivery;
import org.ferrymq.message.Message;

/**
 * One message as it crosses to a peer: the message, and either the shared groups the peer
 * serves with it (routed there by topic) or the one session it is addressed to.
 *
 * @param session the session that moved to the peer a moment ago, which alone gets the
 *     message there; null for a message the peer routes
 */
record Forwarded(Message message, GroupAssignment groups, SessionDelivery session) {

  /** A message the peer routes to its own subscribers and to the groups it was chosen for. */
  Forwarded(Message message, GroupAssignment groups) {
    this(message, groups, null);
  }
}
