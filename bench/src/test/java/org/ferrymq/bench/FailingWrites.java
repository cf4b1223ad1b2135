package org.ferrymq.bench;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.ferrymq.message.Message;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.PersistenceException;
import org.ferrymq.persistence.QueueStore;
import org.ferrymq.persistence.RetainedStore;
import org.ferrymq.persistence.SessionStore;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredSession;

/**
 * A store whose every write throws {@link PersistenceException} between {@link #begin} and
 * {@link #end}, as a full disk or a lost database connection does; reads keep working, and the
 * store reports itself unhealthy while failing. Writes through after {@link #end}.
 *
 * <p>Thread-safe: the broker's lanes write, the soak switches the fault on and off.
 */
final class FailingWrites implements StoreFault {
  private final AtomicLong refused = new AtomicLong();
  private volatile boolean failing;

  @Override
  public Persistence wrap(Persistence store) {
    return new Decorated(store);
  }

  @Override
  public void begin() {
    failing = true;
  }

  @Override
  public void end() {
    failing = false;
  }

  @Override
  public String describe() {
    return "every store write failed for a while: " + refused.get() + " writes refused";
  }

  private void check(String write) {
    if (failing) {
      refused.incrementAndGet();
      throw new PersistenceException("soak store fault: " + write + " refused");
    }
  }

  private final class Decorated implements Persistence {
    private final Persistence store;
    private final SessionStore sessions;
    private final QueueStore queues;
    private final RetainedStore retained;

    Decorated(Persistence store) {
      this.store = store;
      SessionStore s = store.sessions();
      QueueStore q = store.queues();
      RetainedStore r = store.retained();
      sessions = new SessionStore() {
        @Override
        public void save(StoredSession session) {
          check("session save");
          s.save(session);
        }

        @Override
        public void delete(String clientId) {
          check("session delete");
          s.delete(clientId);
        }

        @Override
        public List<StoredSession> loadSessions() {
          return s.loadSessions();
        }
      };
      queues = new QueueStore() {
        @Override
        public void put(String clientId, StoredDelivery delivery) {
          check("queue put");
          q.put(clientId, delivery);
        }

        @Override
        public void remove(String clientId, long sequence) {
          check("queue remove");
          q.remove(clientId, sequence);
        }

        @Override
        public void clear(String clientId) {
          check("queue clear");
          q.clear(clientId);
        }

        @Override
        public List<StoredDelivery> load(String clientId) {
          return q.load(clientId);
        }
      };
      retained = new RetainedStore() {
        @Override
        public void put(Message message) {
          check("retained put");
          r.put(message);
        }

        @Override
        public void remove(String topic) {
          check("retained remove");
          r.remove(topic);
        }

        @Override
        public List<Message> loadRetained() {
          return r.loadRetained();
        }
      };
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
      store.afterDurable(action);
    }

    @Override
    public boolean isHealthy() {
      return !failing && store.isHealthy();
    }

    @Override
    public String describe() {
      return store.describe() + (failing ? " (failing writes)" : "");
    }

    @Override
    public void close() {
      store.close();
    }
  }
}
