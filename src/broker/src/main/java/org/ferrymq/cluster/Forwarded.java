package org.ferrymq.cluster;

import org.ferrymq.engine.GroupAssignment;
import org.ferrymq.message.Message;

/**
 * One message as it crosses to a peer: the message, and the shared groups the peer serves
 * with it.
 */
record Forwarded(Message message, GroupAssignment groups) {
}
