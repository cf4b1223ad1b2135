package org.ferrymq.persistence.mvstore;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store's changes since its last successful commit, by key, the latest change of a key
 * replacing earlier ones. Normally dropped at the next commit; when the store fails they are
 * replayed into the reopened store, which then holds everything the engine wrote, including the
 * writes made while it was failed.
 *
 * <p>Thread-safe for the writers (one lane per client identifier, many lanes at once); {@link
 * MvStorePersistence} replaces the whole object while no writer holds it.
 */
final class UnsyncedChanges {
  /** Marks a removed key. */
  static final byte[] REMOVED = new byte[0];

  private final Map<String, byte[]> sessions = new ConcurrentHashMap<>();
  private final Map<String, ClientQueue> queues = new ConcurrentHashMap<>();
  private final Map<String, byte[]> retained = new ConcurrentHashMap<>();

  /** One client's deliveries; only that client's lane writes it. */
  private static final class ClientQueue {
    /** Every delivery stored before the first of {@link #deliveries} is gone. */
    volatile boolean cleared;
    final Map<Long, byte[]> deliveries = new ConcurrentHashMap<>();
  }

  void session(String clientId, byte[] record) {
    sessions.put(clientId, record);
  }

  void delivery(String clientId, long sequence, byte[] record) {
    queues.computeIfAbsent(clientId, k -> new ClientQueue()).deliveries.put(sequence, record);
  }

  void clearQueue(String clientId) {
    ClientQueue q = queues.computeIfAbsent(clientId, k -> new ClientQueue());
    q.deliveries.clear();
    q.cleared = true;
  }

  void retained(String topic, byte[] record) {
    retained.put(topic, record);
  }

  /** Applies every change, in an order that gives the same result as the original writes. */
  void replayInto(StoreFile maps) {
    sessions.forEach((id, record) -> apply(maps.sessions(), id, record));
    queues.forEach((id, q) -> {
      if (q.cleared) {
        maps.clearQueue(id);
      }
      q.deliveries.forEach((seq, record) -> apply(maps.queues(),
          StoreFile.queueKey(id, seq), record));
    });
    retained.forEach((topic, record) -> apply(maps.retained(), topic, record));
  }

  private static void apply(Map<String, byte[]> map, String key, byte[] record) {
    if (record == REMOVED) {
      map.remove(key);
    } else {
      map.put(key, record);
    }
  }

  /** @return how many keys changed, for the log line of a recovery */
  int size() {
    int n = sessions.size() + retained.size();
    for (ClientQueue q : queues.values()) {
      n += q.deliveries.size() + (q.cleared ? 1 : 0);
    }
    return n;
  }
}
