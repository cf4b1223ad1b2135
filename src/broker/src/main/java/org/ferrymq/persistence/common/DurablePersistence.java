package org.ferrymq.persistence.common;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.logging.Logger;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.QueueStore;
import org.ferrymq.persistence.RecoveryBackoff;
import org.ferrymq.persistence.RetainedStore;
import org.ferrymq.persistence.SessionStore;
import org.ferrymq.persistence.StoreObserver;
import org.ferrymq.stats.LatencySnapshot;

/**
 * What every durable backend shares, so that each differs only in its storage: the mode guard,
 * the {@link GroupCommitter} that commits in groups and reopens a failed store (the fault glue:
 * health, fault text, failure count, observer, held {@link #afterDurable} callbacks), and a
 * close that stops the committer before the storage. The format check and the verification at
 * open are {@link StoreChecks}.
 *
 * <p>A backend opens and verifies its storage in its constructor, then calls {@link #attach};
 * its static {@code open} factory calls {@link #startCommitting}. The committer calls {@link
 * #hasUncommittedChanges}, {@link #commitAndSync} and {@link #reopen} from its one task only.
 *
 * <p>Thread-safe as far as this class goes: the committer is; {@link #close()} is synchronized.
 */
public abstract class DurablePersistence implements Persistence {
  private static final Logger LOG = Logger.getLogger(DurablePersistence.class.getName());

  /**
   * Store format written by this version, in both backends; see docs/persistence.md for the
   * history. Format 3 stores records of layout version 3 ({@link RecordCodec}; 2 added
   * exactly-once state, 3 the session owner); an older store is upgraded in place at open (its
   * records stay readable), and a FerryMQ that reads only older formats refuses a newer store.
   */
  public static final int FORMAT_VERSION = 3;

  private final PersistenceMode mode;
  private final String backend;
  /** Set once by {@link #attach}, before any other thread sees this instance. */
  private String label;
  private String location;
  private GroupCommitter committer;
  private SessionStore sessions;
  private QueueStore queues;
  private RetainedStore retained;
  private volatile boolean open = true;

  /**
   * @param mode {@link PersistenceMode#QUEUED} or {@link PersistenceMode#PERSISTENT}
   * @param backend the backend's name in {@link #describe()}, e.g. {@code mvstore}
   * @throws IllegalArgumentException for mode {@code none}, which keeps no store
   */
  protected DurablePersistence(PersistenceMode mode, String backend) {
    if (mode == PersistenceMode.NONE) {
      throw new IllegalArgumentException("mode none keeps no store");
    }
    this.mode = mode;
    this.backend = backend;
  }

  /**
   * Wires the opened storage to the committer; called once, at the end of the constructor.
   *
   * @param noun what the storage is in messages: {@code Store}, {@code Database}
   * @param location where it is: the file, the database URL
   * @param syncIntervalMillis how often changes nobody waits for are committed
   * @param recovery how often a failed store is reopened
   */
  protected final void attach(String noun, String location, SessionStore sessions,
      QueueStore queues, RetainedStore retained, long syncIntervalMillis,
      RecoveryBackoff recovery) {
    this.label = noun + " " + location;
    this.location = location;
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.queues = Objects.requireNonNull(queues, "queues");
    this.retained = Objects.requireNonNull(retained, "retained");
    this.committer = new GroupCommitter(label, new GroupCommitter.Target() {
      @Override
      public boolean hasChanges() {
        return hasUncommittedChanges();
      }

      @Override
      public void commitAndSync() throws Exception {
        DurablePersistence.this.commitAndSync();
      }

      @Override
      public void reopen() throws Exception {
        DurablePersistence.this.reopen();
      }
    }, mode == PersistenceMode.PERSISTENT, syncIntervalMillis, recovery);
  }

  /** Starts the commit task; the static {@code open} factories call it once. */
  protected final void startCommitting(Executor committerExecutor) {
    committer.start(committerExecutor);
  }

  /** @return whether writes were made since the last commit */
  protected abstract boolean hasUncommittedChanges();

  /** Commits every write made so far and forces it to stable storage. */
  protected abstract void commitAndSync() throws Exception;

  /** Makes a failed storage usable again and verifies it; see {@link GroupCommitter.Target}. */
  protected abstract void reopen() throws Exception;

  /**
   * Closes the storage after the committer stopped.
   *
   * @param failed whether the store was failed: its last changes are not in the storage, and
   *     it must not be written to
   */
  protected abstract void closeStorage(boolean failed);

  /** Starts a fault episode: the storage refused a write. Safe from any thread. */
  protected final void markFailed(Throwable cause) {
    committer.markFailed(cause);
  }

  /** Commits and syncs now and waits for it, whatever the mode; before reads and in tests. */
  public final void syncNow() {
    committer.flush();
  }

  /** @return how many commit-and-sync cycles have run; tests compare it to callbacks */
  public final long syncCount() {
    return committer.syncCount();
  }

  @Override
  public final SessionStore sessions() {
    return sessions;
  }

  @Override
  public final QueueStore queues() {
    return queues;
  }

  @Override
  public final RetainedStore retained() {
    return retained;
  }

  @Override
  public final void afterDurable(Runnable action) {
    committer.afterDurable(action);
  }

  @Override
  public final boolean isHealthy() {
    return open && committer.failure() == null;
  }

  @Override
  public final String fault() {
    return open ? committer.fault() : label + " is closed";
  }

  @Override
  public final long failureCount() {
    return committer.faultCount();
  }

  @Override
  public final LatencySnapshot commitLatency() {
    return committer.commitLatency();
  }

  @Override
  public final void observe(StoreObserver observer) {
    committer.observe(observer);
  }

  @Override
  public final String describe() {
    return backend + " " + location + " (" + mode.value() + ")";
  }

  /** Stops the committer (which commits what is left unless failed), then the storage. */
  @Override
  public final synchronized void close() {
    if (!open) {
      return;
    }
    open = false;
    committer.close();
    boolean failed = committer.failure() != null;
    if (failed) {
      LOG.warning(() -> label + " closed while failed: changes since its last successful "
          + "commit are not in it");
    }
    closeStorage(failed);
  }
}
