package org.ferrymq.persistence;

import org.ferrymq.stats.LatencySnapshot;

/**
 * A persistence backend: the three stores plus durability control.
 *
 * <p>The engine withholds PUBACK/PUBREC until {@link #afterDurable(Runnable)} runs its
 * callback, so a backend that syncs in groups acknowledges a batch of publishes with one sync.
 *
 * <p>Writes never throw into the engine: a durable backend that cannot write keeps the change
 * in memory, reports the fault ({@link #fault()}, {@link StoreObserver}), holds every {@link
 * #afterDurable} callback, and reopens itself in the background; once it has every change made
 * meanwhile again, it runs the callbacks and reports the recovery.
 */
public interface Persistence extends AutoCloseable {

  SessionStore sessions();

  QueueStore queues();

  RetainedStore retained();

  /**
   * Runs {@code action} once every write made so far is durable; in-memory backends run it at
   * once. The action may run on another thread; the engine moves it back onto its lane.
   */
  void afterDurable(Runnable action);

  /** @return whether the store is open and accepting writes (readiness) */
  boolean isHealthy();

  /**
   * @return what is wrong while the store is failed (naming the store and the cause), or
   *     {@code null} while it is healthy
   */
  default String fault() {
    return null;
  }

  /** @return how many times the store has failed since it was opened (fault episodes) */
  default long failureCount() {
    return 0;
  }

  /** @return how long commits with their sync took; empty for stores that do not commit */
  default LatencySnapshot commitLatency() {
    return LatencySnapshot.EMPTY;
  }

  /**
   * Registers the one observer told about failures and recoveries; told at once if the store
   * has already failed. Stores that cannot fail ignore it.
   */
  default void observe(StoreObserver observer) {
  }

  /** @return a short description for logs and health data, e.g. "memory" or a path */
  String describe();

  @Override
  void close();
}
