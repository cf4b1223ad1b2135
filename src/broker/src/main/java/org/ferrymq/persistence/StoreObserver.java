package org.ferrymq.persistence;

/**
 * Told when a durable store stops accepting writes and when it is back. The engine holds QoS 1/2
 * publishes in between; called once per change, from the thread that noticed it (a lane whose
 * write failed, or the store's commit task), so implementations must be short and thread-safe.
 */
public interface StoreObserver {

  /**
   * The store failed (write error, disk full, the store closed itself, database unreachable).
   *
   * @param fault what failed, naming the store and the cause, for logs and readiness
   */
  void storeFailed(String fault);

  /** The store was reopened, verified and has every write made meanwhile again. */
  void storeRecovered();
}
