package org.ferrymq.cluster;

import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.QueueStore;
import org.ferrymq.persistence.RetainedStore;
import org.ferrymq.persistence.SessionStore;
import org.ferrymq.persistence.StoreObserver;
import org.ferrymq.stats.LatencySnapshot;

/**
 * The node's own persistence backend with its retained messages made cluster-wide
 * ({@link ClusterRetained}); sessions and queues stay on the node (not cluster-wide yet).
 */
final class ClusteredPersistence implements Persistence {
  private final Persistence node;
  private final RetainedStore retained;

  ClusteredPersistence(Persistence node, RetainedStore retained) {
    this.node = node;
    this.retained = retained;
  }

  @Override
  public SessionStore sessions() {
    return node.sessions();
  }

  @Override
  public QueueStore queues() {
    return node.queues();
  }

  @Override
  public RetainedStore retained() {
    return retained;
  }

  @Override
  public void afterDurable(Runnable action) {
    node.afterDurable(action);
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
    return node.describe() + ", retained messages cluster-wide";
  }

  @Override
  public void close() {
    node.close();
  }
}
