package org.ferrymq.persistence.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.ferrymq.message.Message;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.QueueStore;
import org.ferrymq.persistence.RetainedStore;
import org.ferrymq.persistence.SessionStore;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredSession;

/**
 * Keeps everything in maps. Handing one instance to a second broker simulates a restart, which
 * is how unit tests prove recovery; it never touches a disk.
 */
public final class MemoryPersistence implements Persistence {

  private final Sessions sessions = new Sessions();
  private final Queues queues = new Queues();
  private final Retained retained = new Retained();

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
    action.run();
  }

  @Override
  public boolean isHealthy() {
    return true;
  }

  @Override
  public String describe() {
    return "memory";
  }

  @Override
  public void close() {
    // The maps stay readable so that a test can start a new broker on them.
  }

  private final class Sessions implements SessionStore {
    private final Map<String, StoredSession> byClient = new ConcurrentHashMap<>();

    @Override
    public void save(StoredSession session) {
      byClient.put(session.clientId(), session);
    }

    @Override
    public void delete(String clientId) {
      byClient.remove(clientId);
      queues.clear(clientId);
    }

    @Override
    public List<StoredSession> loadSessions() {
      return new ArrayList<>(byClient.values());
    }
  }

  private static final class Queues implements QueueStore {
    private final Map<String, ConcurrentSkipListMap<Long, StoredDelivery>> byClient =
        new ConcurrentHashMap<>();

    @Override
    public void put(String clientId, StoredDelivery delivery) {
      byClient.computeIfAbsent(clientId, k -> new ConcurrentSkipListMap<>())
          .put(delivery.sequence(), delivery);
    }

    @Override
    public void remove(String clientId, long sequence) {
      Map<Long, StoredDelivery> q = byClient.get(clientId);
      if (q != null) {
        q.remove(sequence);
      }
    }

    @Override
    public void clear(String clientId) {
      byClient.remove(clientId);
    }

    @Override
    public List<StoredDelivery> load(String clientId) {
      Map<Long, StoredDelivery> q = byClient.get(clientId);
      return q == null ? List.of() : new ArrayList<>(q.values());
    }
  }

  private static final class Retained implements RetainedStore {
    private final Map<String, Message> byTopic = new ConcurrentHashMap<>();

    @Override
    public void put(Message message) {
      byTopic.put(message.topic(), message);
    }

    @Override
    public void remove(String topic) {
      byTopic.remove(topic);
    }

    @Override
    public List<Message> loadRetained() {
      return new ArrayList<>(byTopic.values());
    }
  }
}
