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
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.persistence.PersistenceException;
import org.ferrymq.persistence.common.DurablePersistence;
import org.ferrymq.persistence.common.RecordCodec;
import org.ferrymq.persistence.common.StoreChecks;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

/**
 * One open instance of the store file: the MVStore, its three maps and the marker file that
 * records the last synced store version. {@link #open} checks the file as at start (format
 * version, not older than what was synced, every record's checksum) and leaves nothing open
 * when it fails; after a failure {@link MvStorePersistence} opens a new instance the same way.
 *
 * <p>Thread-safe as MVStore maps are; {@link #broken} is set by whichever thread sees a write or
 * commit fail, and writers stop touching the instance.
 */
final class StoreFile {
  private static final Logger LOG = Logger.getLogger(StoreFile.class.getName());
  private static final String SESSIONS_MAP = "sessions";
  private static final String QUEUES_MAP = "queues";
  private static final String RETAINED_MAP = "retained";
  private static final int CLOSE_COMPACTION_MILLIS = 2_000;

  private final MVStore store;
  private final MVMap<String, byte[]> sessions;
  private final MVMap<String, byte[]> queues;
  private final MVMap<String, byte[]> retained;
  private final FileChannel marker;
  /** Set once a write or commit on this instance failed: writers stop touching it. */
  volatile boolean broken;

  private StoreFile(MVStore store, FileChannel marker) {
    this.store = store;
    this.sessions = store.openMap(SESSIONS_MAP);
    this.queues = store.openMap(QUEUES_MAP);
    this.retained = store.openMap(RETAINED_MAP);
    this.marker = marker;
  }

  MVStore store() {
    return store;
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

  /**
   * Opens the file and checks it: format version, not older than what was synced, every
   * record's checksum. Leaves nothing open when it fails.
   *
   * @param storeFileName the name MVStore opens: the file, behind an H2 file-system prefix if any
   * @throws PersistenceException naming the file if it is damaged, newer, foreign or locked
   */
  static StoreFile open(Path file, Path markerFile, String storeFileName) {
    StoreChecks checks = checks(file);
    long syncedVersion = readMarker(markerFile);
    if (syncedVersion > 0 && !Files.exists(file)) {
      throw new PersistenceException("Store file " + file + " is missing, but " + markerFile
          + " records that version " + syncedVersion + " of it was synced: refusing to start "
          + "with an empty store. Restore the file, or delete " + markerFile
          + " to start empty.");
    }
    MVStore store = openStore(file, storeFileName);
    try {
      checkFormat(file, store, checks);
      long version = store.getCurrentVersion();
      if (syncedVersion > version) {
        throw new PersistenceException("Store file " + file + " ends at version " + version
            + " but version " + syncedVersion + " was synced before (" + markerFile + "): the "
            + "file was truncated or replaced by an older copy. Refusing to open it. Restore "
            + "the file from a backup, or move the directory away to start empty.");
      }
      FileChannel marker = FileChannel.open(markerFile, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      StoreFile opened;
      try {
        opened = new StoreFile(store, marker);
        opened.verify(opened.sessions, RecordCodec.sessionKind(), checks);
        opened.verify(opened.queues, RecordCodec.deliveryKind(), checks);
        opened.verify(opened.retained, RecordCodec.messageKind(), checks);
        if (store.hasUnsavedChanges()) {
          store.commit();
          store.sync();
        }
        writeMarker(marker, store.getCurrentVersion(), true);
      } catch (IOException | RuntimeException e) {
        marker.close();
        throw e;
      }
      return opened;
    } catch (IOException e) {
      store.closeImmediately();
      throw new PersistenceException("Cannot write " + markerFile + ": " + e.getMessage(), e);
    } catch (MVStoreException e) {
      store.closeImmediately();
      throw damaged(file, e);
    } catch (PersistenceException e) {
      store.closeImmediately();
      throw e;
    } catch (RuntimeException e) {
      store.closeImmediately();
      throw damagedAndNotOpened(file, e);
    }
  }

  private static StoreChecks checks(Path file) {
    String store = "Store file " + file;
    return new StoreChecks(store, store + " has", store, "Restore the file from a backup",
        "move the directory away to start empty");
  }

  private static MVStore openStore(Path file, String storeFileName) {
    try {
      MVStore s = new MVStore.Builder().fileName(storeFileName).autoCommitDisabled().open();
      // Every commit is synced before the next one starts, so space that no synced version
      // uses can be reused at once; the default (45 s) would let the file grow by 45 s of
      // writes.
      s.setRetentionTime(0);
      return s;
    } catch (MVStoreException e) {
      throw damaged(file, e);
    } catch (RuntimeException e) {
      throw damagedAndNotOpened(file, e);
    }
  }

  private static PersistenceException damagedAndNotOpened(Path file, RuntimeException e) {
    return new PersistenceException("Store file " + file + " is damaged and was not opened ("
        + e + "). Restore it from a backup, or move the directory away to start empty.", e);
  }

  private static PersistenceException damaged(Path file, MVStoreException e) {
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

  /** A file without a format version is new only if it holds no map but the meta map. */
  private static void checkFormat(Path file, MVStore store, StoreChecks checks) {
    MVMap<String, String> meta = store.openMap(MvStorePersistence.META_MAP);
    String format = meta.get(MvStorePersistence.FORMAT_KEY);
    if (format == null
        && !store.getMapNames().stream().allMatch(MvStorePersistence.META_MAP::equals)) {
      throw new PersistenceException("Store file " + file + " is not a FerryMQ store (no "
          + "format version); refusing to use it.");
    }
    if (checks.formatNeedsWriting(format)) {
      meta.put(MvStorePersistence.FORMAT_KEY,
          Integer.toString(DurablePersistence.FORMAT_VERSION));
    }
  }

  private void verify(MVMap<String, byte[]> map, int kind, StoreChecks checks) {
    for (Map.Entry<String, byte[]> e : map.entrySet()) {
      checks.verify(e.getValue(), kind, () -> "record '" + printable(
          e.getKey()) + "' in " + map.getName());
    }
  }

  private static long readMarker(Path markerFile) {
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

  /** @return a key as a log line shows it: the NUL of a queue key as a slash */
  static String printable(String key) {
    return key.replace('\0', '/');
  }

  /**
   * @return one delivery's key: the client identifier, a NUL (which MQTT forbids in strings)
   *     and the sequence as 16 hex digits, so one client's deliveries are adjacent and in order
   */
  static String queueKey(String clientId, long sequence) {
    return clientId + '\0' + String.format("%016x", sequence);
  }

  /** @return the keys of one client's deliveries, in sequence order */
  List<String> queueKeys(String clientId) {
    String prefix = clientId + '\0';
    List<String> keys = new ArrayList<>();
    for (Iterator<String> it = queues.keyIterator(prefix); it.hasNext(); ) {
      String key = it.next();
      if (!key.startsWith(prefix)) {
        break;
      }
      keys.add(key);
    }
    return keys;
  }

  /** Removes every delivery of one client. */
  void clearQueue(String clientId) {
    for (String key : queueKeys(clientId)) {
      queues.remove(key);
    }
  }

  /** Commits and syncs, then records the synced version. */
  void commitAndMark() throws IOException {
    store.commit();
    store.sync();
    writeMarker(marker, store.getCurrentVersion(), false);
  }

  /** Commits, compacts (which returns the space of deleted records), closes and marks. */
  void close() throws IOException {
    long version = store.getCurrentVersion();
    store.close(CLOSE_COMPACTION_MILLIS);
    writeMarker(marker, version, true);
    marker.close();
  }

  /** Closes a failed instance without writing (MVStore may have closed it already). */
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
