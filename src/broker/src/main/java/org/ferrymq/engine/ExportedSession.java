package org.ferrymq.engine;

import java.util.List;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredSession;

/**
 * A session as one node hands it to another: its record (subscriptions, inbound QoS 2 receipts,
 * held Will, owner, expiry) and its queued and in-flight deliveries, in the store's own types.
 *
 * @param session the session's record
 * @param deliveries its queued and unacknowledged deliveries, in-flight ones first
 */
public record ExportedSession(StoredSession session, List<StoredDelivery> deliveries) {

  public ExportedSession {
    deliveries = List.copyOf(deliveries);
  }
}
