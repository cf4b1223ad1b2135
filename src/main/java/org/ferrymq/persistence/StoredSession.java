package org.ferrymq.persistence;

import java.util.List;
import java.util.Set;
import org.ferrymq.topic.SubscriptionEntry;

/**
 * The durable part of a session.
 *
 * @param clientId the client identifier
 * @param protocolLevel protocol level of the last connection (3, 4 or 5)
 * @param expiryIntervalSeconds session expiry interval; 0xFFFFFFFF never expires
 * @param disconnectedAtMillis when the last connection ended, 0 while connected
 * @param subscriptions the session's subscriptions
 * @param awaitingPubrel inbound QoS 2 packet identifiers received but not yet released
 */
public record StoredSession(String clientId, int protocolLevel, long expiryIntervalSeconds,
    long disconnectedAtMillis, List<SubscriptionEntry> subscriptions,
    Set<Integer> awaitingPubrel) {

  public StoredSession {
    subscriptions = List.copyOf(subscriptions);
    awaitingPubrel = Set.copyOf(awaitingPubrel);
  }
}
