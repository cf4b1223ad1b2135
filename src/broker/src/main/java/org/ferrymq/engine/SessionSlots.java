package org.ferrymq.engine;

import org.ferrymq.config.BrokerConfig;

/**
 * The places for sessions under {@code mqtt.max-sessions} (every network session, connected or
 * not) and {@code mqtt.max-persistent-sessions} (those with a non-zero expiry). A session holds
 * its places from the CONNECT that creates it until it ends (clean disconnect, expiry, a clean
 * start replacing it), so an expired session frees its places.
 *
 * <p>A CONNECT reserves only what its client's own session does not already hold, so resuming or
 * replacing one's own session is never refused; the places of the session it replaces pass to
 * the new one without being freed in between, where a racing CONNECT on another lane could take
 * them. Thread-safe counts; the per-session marks are changed on the session's lane.
 */
final class SessionSlots {
  private final Quota sessions;
  private final Quota persistent;

  SessionSlots(BrokerConfig config) {
    this.sessions = new Quota(QuotaCap.SESSIONS, config.maxSessions());
    this.persistent = new Quota(QuotaCap.PERSISTENT_SESSIONS, config.maxPersistentSessions());
  }

  /**
   * Reserves what a CONNECT needs beyond what the client's own session holds.
   *
   * @param own the session of the same client identifier, null when there is none
   * @param persistentWanted whether the new session has a non-zero expiry
   * @return null when reserved, else the cap that refuses the CONNECT (nothing is reserved then)
   */
  QuotaCap reserve(Session own, boolean persistentWanted) {
    boolean needsSession = own == null || !own.holdsSlot();
    boolean needsPersistent = persistentWanted && (own == null || !own.holdsPersistentSlot());
    if (needsSession && !sessions.tryAcquire(1)) {
      return QuotaCap.SESSIONS;
    }
    if (needsPersistent && !persistent.tryAcquire(1)) {
      if (needsSession) {
        sessions.adjust(-1);
      }
      return QuotaCap.PERSISTENT_SESSIONS;
    }
    return null;
  }

  /**
   * After {@link #reserve}: the connection's session (resumed or new) takes the places reserved
   * plus those of its client's earlier session, handed over with {@link Session#handOverSlots}.
   *
   * @param persistentHandedOver whether the earlier session held a persistent place
   */
  void settle(Session s, boolean persistentWanted, boolean persistentHandedOver) {
    s.holdSlots(true, persistentWanted);
    if (persistentHandedOver && !persistentWanted) {
      persistent.adjust(-1);
    }
  }

  /** A session read back from the store at start takes its places whatever the caps. */
  void restore(Session s, boolean isPersistent) {
    sessions.adjust(1);
    if (isPersistent) {
      persistent.adjust(1);
    }
    s.holdSlots(true, isPersistent);
  }

  /** The session ended: its places are free. */
  void release(Session s) {
    if (s.holdsSlot()) {
      sessions.adjust(-1);
    }
    if (s.holdsPersistentSlot()) {
      persistent.adjust(-1);
    }
    s.holdSlots(false, false);
  }

  long sessions() {
    return sessions.used();
  }

  long persistentSessions() {
    return persistent.used();
  }

  /** @return the cap the sessions recovered at start already pass, null when none */
  QuotaCap exceeded() {
    return Quota.firstExceeded(sessions, persistent);
  }
}
