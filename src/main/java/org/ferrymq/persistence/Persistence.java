package org.ferrymq.persistence;

/**
 * A persistence backend: the three stores plus durability control.
 *
 * <p>The engine withholds PUBACK/PUBREC until {@link #afterDurable(Runnable)} runs its
 * callback, so a backend that syncs in groups acknowledges a batch of publishes with one sync.
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

  /** @return a short description for logs and health data, e.g. "memory" or a path */
  String describe();

  @Override
  void close();
}
