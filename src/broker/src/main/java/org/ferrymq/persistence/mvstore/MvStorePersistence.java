package org.ferrymq.persistence.mvstore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.StampedLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.message.Message;
import org.ferrymq.persistence.PersistenceException;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.QueueStore;
import org.ferrymq.persistence.RecoveryBackoff;
import org.ferrymq.persistence.RetainedStore;
import org.ferrymq.persistence.SessionStore;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.persistence.common.DurablePersistence;
import org.ferrymq.persistence.common.GroupCommitter;
import org.ferrymq.persistence.common.RecordCodec;
import org.ferrymq.persistence.common.RecordFormatException;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

/**
 * The embedded durable backend: one H2 MVStore file, {@value #FILE_NAME}, in the data directory.
 *
 * <p>Writes go straight into the store's maps (in memory until committed); a {@link
 * GroupCommitter} commits and syncs them from one background task, in batches. Values are
 * {@link RecordCodec} records; keys are the client identifier, the topic, or for queues the
 * client identifier, a NUL (which MQTT forbids in strings) and the sequence as 16 hex digits,
 * so that one client's deliveries are adjacent and in order.
 *
 * <p>Opening refuses, with a message naming the file: a store of a newer format version, a
 * file that is not a FerryMQ store, a file locked by another process, damaged records or pages
 * (every record is read and its checksum checked at open), and a file that is older than what
 * was synced before (truncated, or replaced by an older copy), detected with the small marker
 * file {@value #MARKER_FILE_NAME} that records the last synced store version.
 *
 * <p>Lifecycle, format check wording and fault glue are {@link DurablePersistence}'s; opening and
 * verifying the file is {@link StoreFile}'s. This class adds the storage: writes that survive a
 * reopen ({@link UnsyncedChanges}), commits, compaction and replay after a failure.
 *
 * <p>Thread-safe: MVStore maps take concurrent writers; each client's calls come from one lane.
 */
public final class MvStorePersistence extends DurablePersistence {
  private static final Logger LOG = Logger.getLogger(MvStorePersistence.class.getName());

  /** The store file inside the data directory. */
  public static final String FILE_NAME = "ferrymq.mv.db";
  /** Records the last synced store version, to detect a truncated or rolled back file. */
  public static final String MARKER_FILE_NAME = "ferrymq.synced";
  static final String META_MAP = "ferrymq.meta";
  static final String FORMAT_KEY = "format";
  /** When the store was last reopened after a failure; written to prove it takes writes. */
  static final String REOPENED_KEY = "reopened-at";
  private static final long COMPACTION_INTERVAL_NANOS = 1_000_000_000L;
  private static final int COMPACTION_FILL_RATE = 50;
  private static final int COMPACTION_WRITE_BYTES = 16 << 20;

  private final Path file;
  private final Path markerFile;
  /** The file name MVStore opens: {@link #file}, behind an H2 file-system prefix if any. */
  private final String storeFileName;
  /**
   * Writers hold it shared while they record a change and apply it to {@link #current}; the
   * commit task holds it exclusively to seal {@link #changes} and to install a reopened store,
   * so every sealed change is in the store it was sealed from.
   */
  private final StampedLock swap = new StampedLock();
  /** Replaced only under the exclusive {@link #swap}. */
  private volatile StoreFile current;
  /** Changes since the last seal; replaced only under the exclusive {@link #swap}. */
  private UnsyncedChanges changes = new UnsyncedChanges();
  /** Sealed changes not yet known committed, oldest first. Only the commit task touches it. */
  private final List<UnsyncedChanges> unsynced = new ArrayList<>();
  /** Only the commit task touches it. */
  private long lastCompactionNanos = System.nanoTime();

  private MvStorePersistence(Path directory, PersistenceMode mode, long syncIntervalMillis,
      RecoveryBackoff recovery, String fileSystemPrefix) {
    super(mode, "mvstore");
    this.file = directory.resolve(FILE_NAME).toAbsolutePath();
    this.markerFile = directory.resolve(MARKER_FILE_NAME).toAbsolutePath();
    this.storeFileName = fileSystemPrefix + file;
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new PersistenceException("Cannot create the store directory "
          + directory.toAbsolutePath() + ": " + e, e);
    }
    this.current = StoreFile.open(file, markerFile, storeFileName);
    attach("Store", file.toString(), new Sessions(), new Queues(), new Retained(),
        syncIntervalMillis, recovery);
  }

  @Override
  protected boolean hasUncommittedChanges() {
    return current.store().hasUnsavedChanges();
  }

  /** Seals the changes made so far, commits and syncs them; on success they are forgotten. */
  @Override
  protected void commitAndSync() throws IOException {
    long stamp = swap.writeLock();
    try {
      unsynced.add(changes);
      changes = new UnsyncedChanges();
    } finally {
      swap.unlockWrite(stamp);
    }
    StoreFile f = current;
    try {
      f.commitAndMark();
      compactNowAndThen(f.store());
    } catch (IOException | RuntimeException e) {
      f.broken = true;
      throw e;
    }
    unsynced.clear();
  }

  /**
   * After a failure: closes the broken instance (MVStore may have closed it already), opens
   * and verifies the file again, and replays every change not known committed into it. The
   * commit that follows makes them durable; until it succeeds they stay for the next attempt.
   */
  @Override
  protected void reopen() {
    StoreFile broken = current;
    broken.broken = true;
    broken.closeImmediately();
    StoreFile fresh = StoreFile.open(file, markerFile, storeFileName);
    long stamp = swap.writeLock();
    try {
      int replayed = 0;
      for (UnsyncedChanges u : unsynced) {
        u.replayInto(fresh);
        replayed += u.size();
      }
      changes.replayInto(fresh);
      replayed += changes.size();
      unsynced.add(changes);
      changes = new UnsyncedChanges();
      // A write to prove the file takes writes again; the commit that follows syncs it
      MVMap<String, String> meta = fresh.store().openMap(META_MAP);
      meta.put(REOPENED_KEY, Long.toString(System.currentTimeMillis()));
      current = fresh;
      int count = replayed;
      LOG.fine(() -> "Store " + file + " reopened; " + count + " changes replayed");
    } catch (RuntimeException e) {
      fresh.closeImmediately();
      throw e;
    } finally {
      swap.unlockWrite(stamp);
    }
  }

  /**
   * Opens (or creates) the store in {@code directory} and starts its commit loop.
   *
   * @param directory the data directory; created if missing
   * @param mode {@link PersistenceMode#QUEUED} or {@link PersistenceMode#PERSISTENT}
   * @param syncIntervalMillis how often changes nobody waits for are committed
   * @param committerExecutor runs the one long-lived commit task
   * @return the open store
   * @throws PersistenceException if the store is damaged, newer, foreign or locked
   */
  public static MvStorePersistence open(Path directory, PersistenceMode mode,
      long syncIntervalMillis, Executor committerExecutor) {
    return open(directory, mode, syncIntervalMillis, committerExecutor,
        RecoveryBackoff.defaults(), "");
  }

  /**
   * Opens the store as above, with the schedule for reopening it after a failure and the H2
   * file system that holds the file.
   *
   * @param recovery how often a failed store is reopened
   * @param fileSystemPrefix an H2 {@code FilePath} scheme put before the file name, e.g. a
   *     registered fault-injecting wrapper in tests; empty for the default file system
   */
  public static MvStorePersistence open(Path directory, PersistenceMode mode,
      long syncIntervalMillis, Executor committerExecutor, RecoveryBackoff recovery,
      String fileSystemPrefix) {
    MvStorePersistence p = new MvStorePersistence(directory, mode, syncIntervalMillis, recovery,
        fileSystemPrefix);
    p.startCommitting(committerExecutor);
    return p;
  }

  /** Opens with a default commit thread; for tests and embedded use outside a container. */
  public static MvStorePersistence open(Path directory, PersistenceMode mode) {
    return open(directory, mode, 1_000, GroupCommitter.daemonThreads("ferrymq-store-commit"));
  }

  /**
   * Small frequent commits leave chunks partly live; without MVStore's own background thread
   * (autocommit is off, the group committer owns the timing) nothing would rewrite them, so
   * the file would grow. Rewrites the live pages of sparse chunks; the next commit writes them.
   */
  private void compactNowAndThen(MVStore store) {
    long now = System.nanoTime();
    if (now - lastCompactionNanos < COMPACTION_INTERVAL_NANOS) {
      return;
    }
    lastCompactionNanos = now;
    if (store.getFileStore().getChunksFillRate() < COMPACTION_FILL_RATE) {
      store.compact(COMPACTION_FILL_RATE, COMPACTION_WRITE_BYTES);
    }
  }

  /** @return the open MVStore instance; tests make it close itself ({@code panic}) */
  MVStore currentStore() {
    return current.store();
  }

  /** @return the store file */
  public Path file() {
    return file;
  }

  @Override
  protected void closeStorage(boolean failed) {
    StoreFile f = current;
    if (failed) {
      f.closeImmediately();
      return;
    }
    try {
      f.close();
    } catch (IOException | MVStoreException e) {
      LOG.log(Level.WARNING, "Closing store " + file + " failed", e);
    }
  }

  // ---------------------------------------------------------------- stores

  private PersistenceException unreadable(String what, String key, RecordFormatException e) {
    return new PersistenceException("Store file " + file + ": cannot read " + what + " '"
        + StoreFile.printable(key) + "': " + e.getMessage(), e);
  }

  /** What a writer does to the open store, after recording the change. */
  private interface StoreWrite {
    void apply(StoreFile f);
  }

  /**
   * Records a change, then applies it to the open store unless that instance has failed. A
   * refused write starts a fault episode instead of throwing into the engine: the recorded
   * change goes into the reopened store.
   */
  private void write(String clientIdOrTopic, Runnable record, StoreWrite apply) {
    long stamp = swap.readLock();
    try {
      record.run();
      StoreFile m = current;
      if (m.broken) {
        return;
      }
      try {
        apply.apply(m);
      } catch (RuntimeException e) {
        m.broken = true;
        markFailed(new PersistenceException("Store file " + file + " refused a "
            + "write for '" + StoreFile.printable(clientIdOrTopic) + "': " + e.getMessage(), e));
      }
    } finally {
      swap.unlockRead(stamp);
    }
  }

  private final class Sessions implements SessionStore {
    @Override
    public void save(StoredSession session) {
      String id = session.clientId();
      byte[] record = RecordCodec.encodeSession(session);
      write(id, () -> changes.session(id, record), m -> m.sessions().put(id, record));
    }

    @Override
    public void delete(String clientId) {
      write(clientId, () -> {
        changes.session(clientId, UnsyncedChanges.REMOVED);
        changes.clearQueue(clientId);
      }, m -> {
        m.sessions().remove(clientId);
        m.clearQueue(clientId);
      });
    }

    @Override
    public List<StoredSession> loadSessions() {
      List<StoredSession> out = new ArrayList<>();
      for (Map.Entry<String, byte[]> e : current.sessions().entrySet()) {
        try {
          out.add(RecordCodec.decodeSession(e.getValue()));
        } catch (RecordFormatException ex) {
          throw unreadable("session", e.getKey(), ex);
        }
      }
      return out;
    }
  }

  private final class Queues implements QueueStore {
    @Override
    public void put(String clientId, StoredDelivery delivery) {
      long seq = delivery.sequence();
      byte[] record = RecordCodec.encodeDelivery(delivery);
      write(clientId, () -> changes.delivery(clientId, seq, record),
          m -> m.queues().put(StoreFile.queueKey(clientId, seq), record));
    }

    @Override
    public void remove(String clientId, long sequence) {
      write(clientId, () -> changes.delivery(clientId, sequence, UnsyncedChanges.REMOVED),
          m -> m.queues().remove(StoreFile.queueKey(clientId, sequence)));
    }

    @Override
    public void clear(String clientId) {
      write(clientId, () -> changes.clearQueue(clientId), m -> m.clearQueue(clientId));
    }

    @Override
    public List<StoredDelivery> load(String clientId) {
      StoreFile f = current;
      MVMap<String, byte[]> queueMap = f.queues();
      List<StoredDelivery> out = new ArrayList<>();
      for (String key : f.queueKeys(clientId)) {
        byte[] value = queueMap.get(key);
        if (value == null) {
          continue;
        }
        try {
          out.add(RecordCodec.decodeDelivery(value));
        } catch (RecordFormatException ex) {
          throw unreadable("delivery", key, ex);
        }
      }
      return out;
    }
  }

  private final class Retained implements RetainedStore {
    @Override
    public void put(Message message) {
      String topic = message.topic();
      byte[] record = RecordCodec.encodeMessage(message);
      write(topic, () -> changes.retained(topic, record), m -> m.retained().put(topic, record));
    }

    @Override
    public void remove(String topic) {
      write(topic, () -> changes.retained(topic, UnsyncedChanges.REMOVED),
          m -> m.retained().remove(topic));
    }

    @Override
    public List<Message> loadRetained() {
      List<Message> out = new ArrayList<>();
      for (Map.Entry<String, byte[]> e : current.retained().entrySet()) {
        try {
          out.add(RecordCodec.decodeMessage(e.getValue()));
        } catch (RecordFormatException ex) {
          throw unreadable("retained message", e.getKey(), ex);
        }
      }
      return out;
    }
  }
}
