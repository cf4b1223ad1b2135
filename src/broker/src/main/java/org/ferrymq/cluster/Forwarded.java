package org.ferrymq.cluster;

import org.ferrymq.engine.GroupAssignment;
import org.ferrymq.message.Message;

/**
 * One message as it crosses to a peer: the message, the shared groups the peer serves with it,
 * and, for a message that was on its way to a node that died, that node: the peer, which took
 * over its sessions, routes it to those sessions only ({@link Adoptions}).
 *
 * @param forDeparted the node that died, for a message sent again to its adopter; else null
 */
record Forwarded(Message message, GroupAssignment groups, String forDeparted) {

  /** A message for the peer's own receivers. */
  Forwarded(Message message, GroupAssignment groups) {
    this(message, groups, null);
  }

  /** @return this message, sent again to the adopter of {@code departed}, with no group */
  Forwarded redirected(String departed) {
    return new Forwarded(message, GroupAssignment.NONE,
        forDeparted != null ? forDeparted : departed);
  }
}
