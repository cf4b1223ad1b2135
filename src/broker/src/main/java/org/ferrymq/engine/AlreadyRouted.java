package org.ferrymq.engine;

import java.util.HashSet;
import java.util.Set;

/**
 * The sessions that a QoS 2 message whose routing broke off had already reached: read from
 * their stored deliveries at recovery after a crash, or derived from the failed receivers when
 * a receiver failed to take the message. When the publisher resends the PUBLISH, the message is
 * routed
 * again to every other matching session and not to these, so no one gets it twice.
 *
 * @param clients sessions that hold it through an ordinary subscription
 * @param sharedFilters shared subscriptions ({@code $share/group/filter}) a member of which
 *     holds it: the group must not get it again through another member
 */
record AlreadyRouted(Set<String> clients, Set<String> sharedFilters) {

  /** An empty set, filled while recovery reads the deliveries. */
  static AlreadyRouted collecting() {
    return new AlreadyRouted(new HashSet<>(), new HashSet<>());
  }

  /** Adds every receiver of {@code other}. */
  void addAll(AlreadyRouted other) {
    clients.addAll(other.clients);
    sharedFilters.addAll(other.sharedFilters);
  }

  /** Counts one stored delivery of the message to {@code clientId}. */
  void add(String clientId, String sharedFilter) {
    if (sharedFilter == null) {
      clients.add(clientId);
    } else {
      sharedFilters.add(sharedFilter);
    }
  }

  /** @return how many receivers are left out */
  int size() {
    return clients.size() + sharedFilters.size();
  }
}
