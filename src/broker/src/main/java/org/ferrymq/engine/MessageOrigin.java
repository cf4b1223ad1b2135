package org.ferrymq.engine;

import org.ferrymq.message.Message;

/**
 * A client's message's identity across the cluster: its publisher's client id and its number
 * from that publisher ({@code Message.originSequence}; in a cluster every message of a client
 * has one, on a single node only QoS 2 messages). Every node that routes the message sees the
 * same identity, so a session that may be handed one message by two nodes while it moves
 * between them takes it once ({@link RecentDeliveries}).
 *
 * @param clientId the publishing client
 * @param sequence the message's number from that client, never 0
 */
public record MessageOrigin(String clientId, long sequence) {

  /**
   * @return the message's identity, or null for a message without one (an in-process
   *     publisher's, a Will, a single node's QoS 0 or 1)
   */
  static MessageOrigin of(Message m) {
    return m.originSequence() == 0 || m.originClientId().isEmpty() ? null
        : new MessageOrigin(m.originClientId(), m.originSequence());
  }
}
