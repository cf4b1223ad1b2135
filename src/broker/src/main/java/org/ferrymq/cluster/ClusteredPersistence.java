package org.ferrymq.cluster;

import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.QueueStore;
import org.ferrymq.persistence.RetainedStore;
import org.ferrymq.persistence.SessionStore;
import org.ferrymq.persistence.StoreObserver;
import org.ferrymq.stats.LatencySnapshot;

/**
 * The node's own persistence backend with its retained messages made cluster-wide
 * ({@link ClusterRetained}) and its persistent sessions and their queues copied to the cluster
 * ({@link SessionBackups}). In mode {@code persistent} a durable write is one the cluster's
 * copy has too: {@link #afterDurable} waits for the node's store and for the copies.
 */
final class ClusteredPersistence implements Persistence {
  private final Persistence node;
  private final RetainedStore retained;
  private final SessionBackups backups;
  private final SessionStore sessions;
  private final QueueStore queues;

  ClusteredPersistence(Persistence node, RetainedStore retained, SessionBackups backups) {
    this.node = node;
    this.retained = retained;
    this.backups = backups;
    this.sessions = backups.sessions(node.sessions());
    this.queues = backups.queues(node.queues());
  }

  @Override
  public SessionStore sessions() {
    return sessions;
  }

  @Override
  public QueueStore queues() {
    return queues;
  }

  @Override
  public RetainedStore retained() {
    return retained;
  }

  @Override
  public void afterDurable(Runnable action) {
    // the copies written so far are awaited together: one wait per group, as the store's
    var copied = backups.written();
    node.afterDurable(() -> copied.thenRun(action));
  }

  @Override
  public boolean isHealthy() {
    return node.isHealthy();
  }

  @Override
  public String fault() {
    return node.fault();
  }

  @Override
  public long failureCount() {
    return node.failureCount();
  }

  @Override
  public LatencySnapshot commitLatency() {
    return node.commitLatency();
  }

  @Override
  public void observe(StoreObserver observer) {
    node.observe(observer);
  }

  @Override
  public String describe() {
    return node.describe() + ", retained messages cluster-wide, persistent sessions copied to "
        + "the cluster";
  }

  @Override
  public void close() {
    node.close();
  }
}
