package org.ferrymq.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.persistence.SessionOwner;
import org.ferrymq.security.ClientIdentity;

/**
 * Binds each session to the identity that created it. [MQTT-3.1.4-3] makes a CONNECT with a
 * client identifier already in use take the session over; the specification leaves open whether
 * the server accepts that CONNECT at all ([MQTT-3.1.3-5], 0x85 "not allowed by the Server").
 * FerryMQ accepts it only from the session's owner: another authenticated identity, or an
 * anonymous client for a user's session (and the reverse), gets CONNACK 0x85 Client Identifier
 * not valid (MQTT 3.1.1: return code 2, identifier rejected), and the owner stays connected with
 * its session. Anonymous sessions belong to "anonymous": any anonymous client may resume them.
 * In-process subscribers have no session ({@link InProcessSubscribers}). A session recovered
 * from a record written before owners were stored has none; the first client to resume it
 * claims it.
 *
 * <p>Decisions run on the session's lane. Refusals are counted ({@code
 * ferrymq_takeovers_refused}) and logged as a WARNING the first time per client id (at most one
 * such line a second), then at FINE; the client ids already warned about are remembered in a
 * bounded least-recently-used table. Thread-safe.
 */
final class SessionOwnership {
  private static final Logger LOG = Logger.getLogger(SessionOwnership.class.getName());
  /** Client ids remembered as already warned about; about 100 bytes each. */
  static final int REMEMBERED_CLIENTS = 10_000;
  private static final long WARNING_INTERVAL_NANOS = 1_000_000_000L;

  private final LongAdder refused = new LongAdder();
  private final AtomicLong lastWarningNanos =
      new AtomicLong(System.nanoTime() - WARNING_INTERVAL_NANOS);
  /** Guarded by itself. */
  private final Map<String, Boolean> warned = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED_CLIENTS;
    }
  };

  /** @return the owner a session created or resumed by this identity records */
  static SessionOwner ownerOf(ClientIdentity identity) {
    return identity.isAnonymous() ? SessionOwner.ANONYMOUS
        : new SessionOwner(identity.username(), identity.roles());
  }

  /** @return the identity checks made in the owner's name use while its client is away */
  static ClientIdentity identityOf(SessionOwner owner, String clientId) {
    return owner == null ? ClientIdentity.anonymous(clientId)
        : new ClientIdentity(clientId, owner.user(), owner.roles());
  }

  /**
   * @return whether a client authenticated as {@code identity} may resume or take over {@code
   *     session}: it is the owner, or the session has none yet
   */
  static boolean permits(Session session, ClientIdentity identity) {
    SessionOwner owner = session.owner();
    return owner == null || Objects.equals(owner.user(), identity.username());
  }

  /**
   * Records the identity that connected as the session's owner (with its current roles). A
   * session that had none, recovered from an older store, is claimed by it.
   */
  static void bind(Session session, ClientIdentity identity, boolean resumed) {
    SessionOwner before = session.owner();
    SessionOwner after = ownerOf(identity);
    session.ownedBy(after);
    if (resumed && before == null) {
      LOG.info(() -> "Session " + session.clientId() + ", stored without an owner by an older "
          + "FerryMQ, is claimed by " + after.describe() + ", the first to resume it");
    }
  }

  /**
   * Counts and logs one refused takeover.
   *
   * @param clientId the client id asked for
   * @param owner the session's owner
   * @param presented who asked
   * @param peer the refused connection's remote address, for the log
   */
  void refused(String clientId, SessionOwner owner, ClientIdentity presented, Object peer) {
    refused.increment();
    boolean first;
    synchronized (warned) {
      first = warned.get(clientId) == null;
    }
    String presentedAs = presented.isAnonymous() ? "anonymous"
        : "user '" + presented.username() + "'";
    String what = "CONNECT from " + peer + " as " + presentedAs + " for client id '" + clientId
        + "' refused with 0x85 Client Identifier not valid: the session belongs to "
        + owner.describe();
    if (first && mayWarn()) {
      synchronized (warned) {
        warned.put(clientId, Boolean.TRUE);
      }
      LOG.warning(() -> what + " (" + refused.sum() + " takeovers refused since start; logged "
          + "once per client id)");
    } else {
      LOG.log(Level.FINE, what);
    }
  }

  private boolean mayWarn() {
    long before = lastWarningNanos.get();
    long now = System.nanoTime();
    return now - before >= WARNING_INTERVAL_NANOS && lastWarningNanos.compareAndSet(before, now);
  }

  /** @return takeovers refused since start */
  long refusedCount() {
    return refused.sum();
  }
}
