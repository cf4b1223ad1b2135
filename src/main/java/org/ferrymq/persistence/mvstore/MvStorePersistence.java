package org.ferrymq.persistence.mvstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.StampedLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.message.Message;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.PersistenceException;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.QueueStore;
import org.ferrymq.persistence.RecoveryBackoff;
import org.ferrymq.persistence.RetainedStore;
import org.ferrymq.persistence.SessionStore;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoreObserver;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.persistence.common.GroupCommitter;
import org.ferrymq.persistence.common.RecordCodec;
import org.ferrymq.persistence.common.RecordFormatException;
import org.h2.mvstore.DataUtils;
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
 * <p>Thread-safe: MVStore maps take concurrent writers; each client's calls come from one lane.
 */
public final class MvStorePersistence implements Persistence {
  private static final Logger LOG = Logger.getLogger(MvStorePersistence.class.getName());

  /** The store file inside the data directory. */
  public static final String FILE_NAME = "ferrymq.mv.db";
  /** Records the last synced store version, to detect a truncated or rolled back file. */
  public static final String MARKER_FILE_NAME = "ferrymq.synced";
  /**
   * Store format written by this version; see docs/persistence.md for the history. Format 3
   * stores records of layout version 3 ({@link RecordCodec}; 2 added exactly-once state, 3 the
   * session owner); an older store is upgraded in place at open (its records stay readable),
   * and a FerryMQ that reads only older formats refuses a newer store naming the file.
   */
  public static final int FORMAT_VERSION = 3;

  static final String META_MAP = "ferrymq.meta";
  static final String FORMAT_KEY = "format";
  /** When the store was last reopened after a failure; written to prove it takes writes. */
  static final String REOPENED_KEY = "reopened-at";
  private static final String SESSIONS_MAP = "sessions";
  private static final String QUEUES_MAP = "queues";
  private static final String RETAINED_MAP = "retained";
  private static final int CLOSE_COMPACTION_MILLIS = 2_000;
  private static final long COMPACTION_INTERVAL_NANOS = 1_000_000_000L;
  private static final int COMPACTION_FILL_RATE = 50;
  private static final int COMPACTION_WRITE_BYTES = 16 << 20;

  private final Path file;
  private final Path markerFile;
  /** The file name MVStore opens: {@link #file}, behind an H2 file-system prefix if any. */
  private final String storeFileName;
  private final PersistenceMode mode;
  /**
   * Writers hold it shared while they record a change and apply it to {@link #current}; the
   * commit task holds it exclusively to seal {@link #changes} and to install a reopened store,
   * so every sealed change is in the store it was sealed from.
   */
  private final StampedLock swap = new StampedLock();
  /** Replaced only under the exclusive {@link #swap}. */
  private volatile Maps current;
  /** Changes since the last seal; replaced only under the exclusive {@link #swap}. */
  private UnsyncedChanges changes = new UnsyncedChanges();
  /** Sealed changes not yet known committed, oldest first. Only the commit task touches it. */
  private final List<UnsyncedChanges> unsynced = new ArrayList<>();
  private final GroupCommitter committer;
  private final Sessions sessions = new Sessions();
  private final Queues queues = new Queues();
  private final Retained retained = new Retained();
  private volatile boolean open = true;
  /** Only the commit task touches it. */
  private long lastCompactionNanos = System.nanoTime();

  /** One open instance of the store file and its maps. */
  static final class Maps {
    private final MVStore store;
    private final MVMap<String, byte[]> sessions;
    private final MVMap<String, byte[]> queues;
    private final MVMap<String, byte[]> retained;
    private final FileChannel marker;
    /** Set once a write or commit on this instance failed: writers stop touching it. */
    volatile boolean broken;

    Maps(MVStore store, FileChannel marker) {
      this.store = store;
      this.sessions = store.openMap(SESSIONS_MAP);
      this.queues = store.openMap(QUEUES_MAP);
      this.retained = store.openMap(RETAINED_MAP);
      this.marker = marker;
    }

    MVMap<String, byte[]> sessions() {
      return sessions;
    }

    MVMap<String, byte[]> queues() {
      return queues;
    }

    MVMap<String, byte[]> retained() {
      return retained;
    }

    void closeImmediately() {
      try {
        store.closeImmediately();
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "Closing a failed store", e);
      }
      try {
        marker.close();
      } catch (IOException e) {
        LOG.log(Level.FINE, "Closing the marker of a failed store", e);
      }
    }
  }

  private MvStorePersistence(Path directory, PersistenceMode mode, long syncIntervalMillis,
      RecoveryBackoff recovery, String fileSystemPrefix) {
    if (mode == PersistenceMode.NONE) {
      throw new IllegalArgumentException("mode none keeps no store");
    }
    this.mode = mode;
    this.file = directory.resolve(FILE_NAME).toAbsolutePath();
    this.markerFile = directory.resolve(MARKER_FILE_NAME).toAbsolutePath();
    this.storeFileName = fileSystemPrefix + file;
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new PersistenceException("Cannot create the store directory "
          + directory.toAbsolutePath() + ": " + e, e);
    }
    this.current = openVerified();
    this.committer = new GroupCommitter("Store " + file, new GroupCommitter.Target() {
      @Override
      public boolean hasChanges() {
        return current.store.hasUnsavedChanges();
      }

      @Override
      public void commitAndSync() throws IOException {
        commitCurrent();
      }

      @Override
      public void reopen() {
        reopenAndReplay();
      }
    }, mode == PersistenceMode.PERSISTENT, syncIntervalMillis, recovery);
  }

  /**
   * Opens the file and checks it as at start: format version, not older than what was synced,
   * every record's checksum. Leaves nothing open when it fails.
   */
  private Maps openVerified() {
    long syncedVersion = readMarker();
    if (syncedVersion > 0 && !Files.exists(file)) {
      throw new PersistenceException("Store file " + file + " is missing, but " + markerFile
          + " records that version " + syncedVersion + " of it was synced: refusing to start "
          + "with an empty store. Restore the file, or delete " + markerFile
          + " to start empty.");
    }
    MVStore store = openStore();
    try {
      checkFormat(store);
      long version = store.getCurrentVersion();
      if (syncedVersion > version) {
        throw new PersistenceException("Store file " + file + " ends at version " + version
            + " but version " + syncedVersion + " was synced before (" + markerFile + "): the "
            + "file was truncated or replaced by an older copy. Refusing to open it. Restore "
            + "the file from a backup, or move the directory away to start empty.");
      }
      FileChannel marker = FileChannel.open(markerFile, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      Maps maps;
      try {
        maps = new Maps(store, marker);
        verify(maps.sessions, RecordCodec.sessionKind());
        verify(maps.queues, RecordCodec.deliveryKind());
        verify(maps.retained, RecordCodec.messageKind());
        if (store.hasUnsavedChanges()) {
          store.commit();
          store.sync();
        }
        writeMarker(marker, store.getCurrentVersion(), true);
      } catch (IOException | RuntimeException e) {
        marker.close();
        throw e;
      }
      return maps;
    } catch (IOException e) {
      store.closeImmediately();
      throw new PersistenceException("Cannot write " + markerFile + ": " + e.getMessage(), e);
    } catch (MVStoreException e) {
      store.closeImmediately();
      throw damaged(e);
    } catch (PersistenceException e) {
      store.closeImmediately();
      throw e;
    } catch (RuntimeException e) {
      store.closeImmediately();
      throw new PersistenceException("Store file " + file + " is damaged and was not opened ("
          + e + "). Restore it from a backup, or move the directory away to start empty.", e);
    }
  }

  /** Seals the changes made so far, commits and syncs them; on success they are forgotten. */
  private void commitCurrent() throws IOException {
    long stamp = swap.writeLock();
    try {
      unsynced.add(changes);
      changes = new UnsyncedChanges();
    } finally {
      swap.unlockWrite(stamp);
    }
    Maps m = current;
    try {
      m.store.commit();
      m.store.sync();
      writeMarker(m.marker, m.store.getCurrentVersion(), false);
      compactNowAndThen(m.store);
    } catch (IOException | RuntimeException e) {
      m.broken = true;
      throw e;
    }
    unsynced.clear();
  }

  /**
   * After a failure: closes the broken instance (MVStore may have closed it already), opens
   * and verifies the file again, and replays every change not known committed into it. The
   * commit that follows makes them durable; until it succeeds they stay for the next attempt.
   */
  private void reopenAndReplay() {
    Maps broken = current;
    broken.broken = true;
    broken.closeImmediately();
    Maps fresh = openVerified();
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
      MVMap<String, String> meta = fresh.store.openMap(META_MAP);
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
    p.committer.start(committerExecutor);
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

  private MVStore openStore() {
    try {
      MVStore s = new MVStore.Builder().fileName(storeFileName).autoCommitDisabled().open();
      // Every commit is synced before the next one starts, so space that no synced version
      // uses can be reused at once; the default (45 s) would let the file grow by 45 s of
      // writes.
      s.setRetentionTime(0);
      return s;
    } catch (MVStoreException e) {
      throw damaged(e);
    } catch (RuntimeException e) {
      throw new PersistenceException("Store file " + file + " is damaged and was not opened ("
          + e + "). Restore it from a backup, or move the directory away to start empty.", e);
    }
  }

  private PersistenceException damaged(MVStoreException e) {
    return switch (e.getErrorCode()) {
      case DataUtils.ERROR_FILE_LOCKED -> new PersistenceException("Store file " + file
          + " is in use by another process (another broker on the same mqtt.persistence.dir?)",
          e);
      case DataUtils.ERROR_UNSUPPORTED_FORMAT -> new PersistenceException("Store file " + file
          + " was written by a newer storage engine version and cannot be read: "
          + e.getMessage(), e);
      default -> new PersistenceException("Store file " + file + " is damaged and was not "
          + "opened (" + e.getMessage() + "). Restore it from a backup, or move the directory "
          + "away to start empty.", e);
    };
  }

  private void checkFormat(MVStore store) {
    MVMap<String, String> meta = store.openMap(META_MAP);
    String format = meta.get(FORMAT_KEY);
    if (format == null) {
      boolean empty = store.getMapNames().stream().allMatch(META_MAP::equals);
      if (!empty) {
        throw new PersistenceException("Store file " + file + " is not a FerryMQ store (no "
            + "format version); refusing to use it.");
      }
      meta.put(FORMAT_KEY, Integer.toString(FORMAT_VERSION));
      return;
    }
    int version;
    try {
      version = Integer.parseInt(format);
    } catch (NumberFormatException e) {
      throw new PersistenceException("Store file " + file + " has an unreadable format "
          + "version '" + format + "'; refusing to use it.", e);
    }
    if (version > FORMAT_VERSION) {
      throw new PersistenceException("Store file " + file + " has format version " + version
          + ", written by a newer FerryMQ; this version reads format " + FORMAT_VERSION
          + " and older. Run the newer FerryMQ, or move the directory away to start empty.");
    }
    if (version < FORMAT_VERSION) {
      // Older records are read as they are (by their layout's branch); new ones get the current layout
      meta.put(FORMAT_KEY, Integer.toString(FORMAT_VERSION));
      LOG.info("Store file " + file + " upgraded from format " + version + " to "
          + FORMAT_VERSION);
    }
  }

  private void verify(MVMap<String, byte[]> map, int kind) {
    for (Iterator<Map.Entry<String, byte[]>> it = map.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, byte[]> e = it.next();
      try {
        RecordCodec.verify(e.getValue(), kind);
      } catch (RecordFormatException ex) {
        throw new PersistenceException("Store file " + file + " is damaged: record '"
            + printable(e.getKey()) + "' in " + map.getName() + ": " + ex.getMessage()
            + ". Restore the file from a backup, or move the directory away to start empty.",
            ex);
      }
    }
  }

  private static String printable(String key) {
    return key.replace('\0', '/');
  }

  private long readMarker() {
    if (!Files.exists(markerFile)) {
      return 0;
    }
    try {
      byte[] b = Files.readAllBytes(markerFile);
      return b.length >= Long.BYTES ? ByteBuffer.wrap(b).getLong() : 0;
    } catch (IOException e) {
      throw new PersistenceException("Cannot read " + markerFile + ": " + e.getMessage(), e);
    }
  }

  /** Written after the sync, so it never claims more than the store file holds. */
  private static void writeMarker(FileChannel marker, long version, boolean force)
      throws IOException {
    ByteBuffer b = ByteBuffer.allocate(Long.BYTES).putLong(0, version);
    marker.write(b, 0);
    if (force) {
      marker.force(true);
    }
  }

  /** @return how many commit-and-sync cycles have run; tests compare it to callbacks */
  long syncCount() {
    return committer.syncCount();
  }

  /** Commits and syncs now and waits for it, whatever the mode. */
  void syncNow() {
    committer.flush();
  }

  /** @return the open MVStore instance; tests make it close itself ({@code panic}) */
  MVStore currentStore() {
    return current.store;
  }

  /** @return the store file */
  public Path file() {
    return file;
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
    committer.afterDurable(action);
  }

  @Override
  public boolean isHealthy() {
    return open && committer.failure() == null;
  }

  @Override
  public String fault() {
    return open ? committer.fault() : "Store " + file + " is closed";
  }

  @Override
  public long failureCount() {
    return committer.faultCount();
  }

  @Override
  public void observe(StoreObserver observer) {
    committer.observe(observer);
  }

  @Override
  public String describe() {
    return "mvstore " + file + " (" + mode.value() + ")";
  }

  /** Commits, syncs and compacts (which returns the space of deleted records), then closes. */
  @Override
  public synchronized void close() {
    if (!open) {
      return;
    }
    open = false;
    committer.close();
    Maps m = current;
    if (committer.failure() != null) {
      LOG.warning(() -> "Store " + file + " closed while failed: changes since its last "
          + "successful commit are not in it");
      m.closeImmediately();
      return;
    }
    try {
      long version = m.store.getCurrentVersion();
      m.store.close(CLOSE_COMPACTION_MILLIS);
      writeMarker(m.marker, version, true);
      m.marker.close();
    } catch (IOException | MVStoreException e) {
      LOG.log(Level.WARNING, "Closing store " + file + " failed", e);
    }
  }

  // ---------------------------------------------------------------- stores

  private PersistenceException unreadable(String what, String key, RecordFormatException e) {
    return new PersistenceException("Store file " + file + ": cannot read " + what + " '"
        + printable(key) + "': " + e.getMessage(), e);
  }

  static String queueKey(String clientId, long sequence) {
    return clientId + '\0' + String.format("%016x", sequence);
  }

  /** @return the keys of one client's deliveries, in sequence order */
  static List<String> queueKeys(MVMap<String, byte[]> queueMap, String clientId) {
    String prefix = clientId + '\0';
    List<String> keys = new ArrayList<>();
    for (Iterator<String> it = queueMap.keyIterator(prefix); it.hasNext(); ) {
      String key = it.next();
      if (!key.startsWith(prefix)) {
        break;
      }
      keys.add(key);
    }
    return keys;
  }

  /** What a writer does to the open store, after recording the change. */
  private interface StoreWrite {
    void apply(Maps maps);
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
      Maps m = current;
      if (m.broken) {
        return;
      }
      try {
        apply.apply(m);
      } catch (RuntimeException e) {
        m.broken = true;
        committer.markFailed(new PersistenceException("Store file " + file + " refused a "
            + "write for '" + printable(clientIdOrTopic) + "': " + e.getMessage(), e));
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
      write(id, () -> changes.session(id, record), m -> m.sessions.put(id, record));
    }

    @Override
    public void delete(String clientId) {
      write(clientId, () -> {
        changes.session(clientId, UnsyncedChanges.REMOVED);
        changes.clearQueue(clientId);
      }, m -> {
        m.sessions.remove(clientId);
        for (String key : queueKeys(m.queues, clientId)) {
          m.queues.remove(key);
        }
      });
    }

    @Override
    public List<StoredSession> loadSessions() {
      List<StoredSession> out = new ArrayList<>();
      for (Map.Entry<String, byte[]> e : current.sessions.entrySet()) {
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
          m -> m.queues.put(queueKey(clientId, seq), record));
    }

    @Override
    public void remove(String clientId, long sequence) {
      write(clientId, () -> changes.delivery(clientId, sequence, UnsyncedChanges.REMOVED),
          m -> m.queues.remove(queueKey(clientId, sequence)));
    }

    @Override
    public void clear(String clientId) {
      write(clientId, () -> changes.clearQueue(clientId), m -> {
        for (String key : queueKeys(m.queues, clientId)) {
          m.queues.remove(key);
        }
      });
    }

    @Override
    public List<StoredDelivery> load(String clientId) {
      MVMap<String, byte[]> queueMap = current.queues;
      List<StoredDelivery> out = new ArrayList<>();
      for (String key : queueKeys(queueMap, clientId)) {
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
      write(topic, () -> changes.retained(topic, record), m -> m.retained.put(topic, record));
    }

    @Override
    public void remove(String topic) {
      write(topic, () -> changes.retained(topic, UnsyncedChanges.REMOVED),
          m -> m.retained.remove(topic));
    }

    @Override
    public List<Message> loadRetained() {
      List<Message> out = new ArrayList<>();
      for (Map.Entry<String, byte[]> e : current.retained.entrySet()) {
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
