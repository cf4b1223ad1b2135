package org.ferrymq.topic;

import org.ferrymq.packet.QoS;
import org.ferrymq.packet.Subscription;

/** Test factory for subscription entries. */
final class Subscriptions {
  private Subscriptions() {
  }

  /** @return an entry for the filter as a client sends it (shared or not), QoS 1, no identifier */
  static SubscriptionEntry entry(String clientId, String fullFilter) {
    return entry(clientId, fullFilter, QoS.AT_LEAST_ONCE);
  }

  static SubscriptionEntry entry(String clientId, String fullFilter, QoS qos) {
    return SubscriptionEntry.of(clientId, new Subscription(fullFilter, qos), 0);
  }
}
