package org.ferrymq.persistence;

import java.util.List;

/** Durable per-session delivery queues, including unacknowledged (in-flight) deliveries. */
public interface QueueStore {

  /** Adds or replaces (same sequence) a delivery. */
  void put(String clientId, StoredDelivery delivery);

  /** Removes one delivery, after acknowledgement, expiry or a drop. */
  void remove(String clientId, long sequence);

  /** Removes every delivery of the session. */
  void clear(String clientId);

  /** @return the session's deliveries in sequence order */
  List<StoredDelivery> load(String clientId);
}
