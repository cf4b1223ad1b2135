package org.ferrymq.engine;

import java.util.List;
import org.ferrymq.packet.QoS;

/**
 * A message addressed to one session, not routed by topic: what a node that handed a session
 * over forwards to the session's new node while its peers may still route the session's
 * messages to it ({@link MovedSession}). The old node matched the session's subscriptions
 * already, so the delivery carries what they granted.
 *
 * @param clientId the session's client id
 * @param qos the QoS the session gets the message at
 * @param retain the RETAIN flag it gets the message with
 * @param subscriptionIds the matching subscriptions' identifiers (MQTT 5)
 * @param sharedFilter the shared subscription it gets the message through, or null
 */
public record SessionDelivery(String clientId, QoS qos, boolean retain,
    List<Integer> subscriptionIds, String sharedFilter) {

  /** Copies the list. */
  public SessionDelivery {
    subscriptionIds = List.copyOf(subscriptionIds);
  }
}
