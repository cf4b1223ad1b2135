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
 * @param recentlyTaken the messages it took lately, while it may still be handed one of them
 *     again ({@link RecentDeliveries}); empty for a session read from a copy
 */
public record ExportedSession(StoredSession session, List<StoredDelivery> deliveries,
    List<MessageOrigin> recentlyTaken) {

  public ExportedSession {
    deliveries = List.copyOf(deliveries);
    recentlyTaken = List.copyOf(recentlyTaken);
  }

  /** A session with no messages to remember, as read from its copy or its store. */
  public ExportedSession(StoredSession session, List<StoredDelivery> deliveries) {
    this(session, deliveries, List.of());
  }
}
