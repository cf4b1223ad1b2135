package org.ferrymq.engine;

import java.util.List;
import java.util.function.BiConsumer;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.QueueStore;
import org.ferrymq.persistence.RetainedStore;
import org.ferrymq.persistence.SessionStore;
import org.ferrymq.persistence.StoreObserver;
import org.ferrymq.persistence.StoredDelivery;

/** A store that does what its delegate does; tests override the part they interfere with. */
public class DelegatingPersistence implements Persistence {
  protected final Persistence delegate;

  public DelegatingPersistence(Persistence delegate) {
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

  /**
   * @return the delegate's queues, {@code beforePut} seeing (and maybe refusing, by throwing)
   *     each delivery written
   */
  protected QueueStore queuesWatched(BiConsumer<String, StoredDelivery> beforePut) {
    QueueStore q = delegate.queues();
    return new QueueStore() {
      @Override
      public void put(String clientId, StoredDelivery delivery) {
        beforePut.accept(clientId, delivery);
        q.put(clientId, delivery);
      }

      @Override
      public void remove(String clientId, long sequence) {
        q.remove(clientId, sequence);
      }

      @Override
      public void clear(String clientId) {
        q.clear(clientId);
      }

      @Override
      public List<StoredDelivery> load(String clientId) {
        return q.load(clientId);
      }
    };
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
