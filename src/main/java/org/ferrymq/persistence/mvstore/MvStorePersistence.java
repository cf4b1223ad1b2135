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
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.engine.Message;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.PersistenceException;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.QueueStore;
import org.ferrymq.persistence.RetainedStore;
import org.ferrymq.persistence.SessionStore;
import org.ferrymq.persistence.StoredDelivery;
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
   * Store format written by this version; see docs/persistence.md for the history. Format 2
   * stores records of layout version 2 ({@link RecordCodec}); a format 1 store is upgraded in
   * place at open (its records stay readable), and a FerryMQ that reads only format 1 refuses a
   * format 2 store naming the file.
   */
  public static final int FORMAT_VERSION = 2;

  static final String META_MAP = "ferrymq.meta";
  static final String FORMAT_KEY = "format";
  private static final String SESSIONS_MAP = "sessions";
  private static final String QUEUES_MAP = "queues";
  private static final String RETAINED_MAP = "retained";
  private static final int CLOSE_COMPACTION_MILLIS = 2_000;
  private static final long COMPACTION_INTERVAL_NANOS = 1_000_000_000L;
  private static final int COMPACTION_FILL_RATE = 50;
  private static final int COMPACTION_WRITE_BYTES = 16 << 20;

  private final Path file;
  private final Path markerFile;
  private final PersistenceMode mode;
  private final MVStore store;
  private final MVMap<String, byte[]> sessionMap;
  private final MVMap<String, byte[]> queueMap;
  private final MVMap<String, byte[]> retainedMap;
  private final FileChannel marker;
  private final GroupCommitter committer;
  private final Sessions sessions = new Sessions();
  private final Queues queues = new Queues();
  private final Retained retained = new Retained();
  private volatile boolean open = true;
  /** Only the commit task touches it. */
  private long lastCompactionNanos = System.nanoTime();

  private MvStorePersistence(Path directory, PersistenceMode mode, long syncIntervalMillis) {
    if (mode == PersistenceMode.NONE) {
      throw new IllegalArgumentException("mode none keeps no store");
    }
    this.mode = mode;
    this.file = directory.resolve(FILE_NAME).toAbsolutePath();
    this.markerFile = directory.resolve(MARKER_FILE_NAME).toAbsolutePath();
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new PersistenceException("Cannot create the store directory "
          + directory.toAbsolutePath() + ": " + e, e);
    }
    long syncedVersion = readMarker();
    if (syncedVersion > 0 && !Files.exists(file)) {
      throw new PersistenceException("Store file " + file + " is missing, but " + markerFile
          + " records that version " + syncedVersion + " of it was synced: refusing to start "
          + "with an empty store. Restore the file, or delete " + markerFile
          + " to start empty.");
    }
    this.store = openStore();
    try {
      checkFormat();
      long version = store.getCurrentVersion();
      if (syncedVersion > version) {
        throw new PersistenceException("Store file " + file + " ends at version " + version
            + " but version " + syncedVersion + " was synced before (" + markerFile + "): the "
            + "file was truncated or replaced by an older copy. Refusing to open it. Restore "
            + "the file from a backup, or move the directory away to start empty.");
      }
      sessionMap = store.openMap(SESSIONS_MAP);
      queueMap = store.openMap(QUEUES_MAP);
      retainedMap = store.openMap(RETAINED_MAP);
      verify(sessionMap, RecordCodec.sessionKind());
      verify(queueMap, RecordCodec.deliveryKind());
      verify(retainedMap, RecordCodec.messageKind());
      marker = FileChannel.open(markerFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      if (store.hasUnsavedChanges()) {
        store.commit();
        store.sync();
      }
      writeMarker(store.getCurrentVersion(), true);
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
    this.committer = new GroupCommitter("Store " + file, new GroupCommitter.Target() {
      @Override
      public boolean hasChanges() {
        return store.hasUnsavedChanges();
      }

      @Override
      public void commitAndSync() throws IOException {
        store.commit();
        store.sync();
        writeMarker(store.getCurrentVersion(), false);
        compactNowAndThen();
      }
    }, mode == PersistenceMode.PERSISTENT, syncIntervalMillis);
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
    MvStorePersistence p = new MvStorePersistence(directory, mode, syncIntervalMillis);
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
  private void compactNowAndThen() {
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
      MVStore s = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
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

  private void checkFormat() {
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
      // Format 1 records are read as they are; from now on records of layout 2 are written
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
  private void writeMarker(long version, boolean force) throws IOException {
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
    return open && committer.failure() == null && store.getPanicException() == null;
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
    try {
      long version = store.getCurrentVersion();
      store.close(CLOSE_COMPACTION_MILLIS);
      writeMarker(version, true);
      marker.close();
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

  private final class Sessions implements SessionStore {
    @Override
    public void save(StoredSession session) {
      sessionMap.put(session.clientId(), RecordCodec.encodeSession(session));
    }

    @Override
    public void delete(String clientId) {
      sessionMap.remove(clientId);
      queues.clear(clientId);
    }

    @Override
    public List<StoredSession> loadSessions() {
      List<StoredSession> out = new ArrayList<>();
      for (Map.Entry<String, byte[]> e : sessionMap.entrySet()) {
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
      queueMap.put(queueKey(clientId, delivery.sequence()), RecordCodec.encodeDelivery(delivery));
    }

    @Override
    public void remove(String clientId, long sequence) {
      queueMap.remove(queueKey(clientId, sequence));
    }

    @Override
    public void clear(String clientId) {
      for (String key : keysOf(clientId)) {
        queueMap.remove(key);
      }
    }

    private List<String> keysOf(String clientId) {
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

    @Override
    public List<StoredDelivery> load(String clientId) {
      List<StoredDelivery> out = new ArrayList<>();
      for (String key : keysOf(clientId)) {
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
      retainedMap.put(message.topic(), RecordCodec.encodeMessage(message));
    }

    @Override
    public void remove(String topic) {
      retainedMap.remove(topic);
    }

    @Override
    public List<Message> loadRetained() {
      List<Message> out = new ArrayList<>();
      for (Map.Entry<String, byte[]> e : retainedMap.entrySet()) {
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
