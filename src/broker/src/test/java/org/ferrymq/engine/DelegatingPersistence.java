package org.ferrymq.engine;

import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.QueueStore;
import org.ferrymq.persistence.RetainedStore;
import org.ferrymq.persistence.SessionStore;
import org.ferrymq.persistence.StoreObserver;

/** A store that does what its delegate does; tests override the part they interfere with. */
class DelegatingPersistence implements Persistence {
  protected final Persistence delegate;

  DelegatingPersistence(Persistence delegate) {
    this.delegate = delegate;
  }

  @Override
  public SessionStore sessions() {
    return delegate.sessions();
  }

  @Override
  public QueueStore queues() {
    return delegate.queues();
  }

  @Override
  public RetainedStore retained() {
    return delegate.retained();
  }

  @Override
  public void afterDurable(Runnable action) {
    delegate.afterDurable(action);
  }

  @Override
  public boolean isHealthy() {
    return delegate.isHealthy();
  }

  @Override
  public String fault() {
    return delegate.fault();
  }

  @Override
  public long failureCount() {
    return delegate.failureCount();
  }

  @Override
  public void observe(StoreObserver observer) {
    delegate.observe(observer);
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
