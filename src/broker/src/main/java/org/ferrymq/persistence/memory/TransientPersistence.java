package org.ferrymq.persistence.memory;

import java.util.List;
import org.ferrymq.message.Message;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.QueueStore;
import org.ferrymq.persistence.RetainedStore;
import org.ferrymq.persistence.SessionStore;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredSession;

/**
 * Persistence mode {@code none}: the engine's working memory is the only copy, so writes are
 * discarded rather than duplicated, and a restart starts empty.
 */
public final class TransientPersistence implements Persistence, SessionStore, QueueStore,
    RetainedStore {

  @Override
  public SessionStore sessions() {
    return this;
  }

  @Override
  public QueueStore queues() {
    return this;
  }

  @Override
  public RetainedStore retained() {
    return this;
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
    return "none (in memory only)";
  }

  @Override
  public void close() {
    // Holds nothing.
  }

  @Override
  public void save(StoredSession session) {
    // Not kept: mode none forgets sessions on restart.
  }

  @Override
  public void delete(String clientId) {
    // Nothing stored.
  }

  @Override
  public List<StoredSession> loadSessions() {
    return List.of();
  }

  @Override
  public void put(String clientId, StoredDelivery delivery) {
    // Not kept.
  }

  @Override
  public void remove(String clientId, long sequence) {
    // Nothing stored.
  }

  @Override
  public void clear(String clientId) {
    // Nothing stored.
  }

  @Override
  public List<StoredDelivery> load(String clientId) {
    return List.of();
  }

  @Override
  public void put(Message message) {
    // Not kept.
  }

  @Override
  public void remove(String topic) {
    // Nothing stored.
  }

  @Override
  public List<Message> loadRetained() {
    return List.of();
  }
}
