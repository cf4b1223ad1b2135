package org.ferrymq.persistence;

import java.util.List;

/** Durable sessions: identity, expiry, subscriptions and inbound QoS 2 state. */
public interface SessionStore {

  /** Creates or replaces the session record. */
  void save(StoredSession session);

  /** Removes the session and everything queued for it. */
  void delete(String clientId);

  /** @return every stored session, for recovery at start */
  List<StoredSession> loadSessions();
}
