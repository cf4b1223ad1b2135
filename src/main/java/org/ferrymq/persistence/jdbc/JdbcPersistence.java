package org.ferrymq.persistence.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
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

/**
 * The JDBC backend: four tables (see {@link #DDL}) in the database of a {@link DataSource},
 * created if missing. Tested against PostgreSQL; the SQL is plain (CREATE TABLE IF NOT EXISTS,
 * DELETE and INSERT in batches), so other databases with those should work.
 *
 * <p>Group commit: writes collect in memory, where later writes to the same row replace
 * earlier ones (a message queued, sent and acknowledged within one interval costs nothing),
 * and one background task writes each collected batch in one transaction. In mode {@code
 * persistent} acknowledgements wait for that transaction's commit. Reads happen only at start,
 * after the collected writes are flushed.
 *
 * <p>Thread-safe: writers append under a short lock; only the commit task talks to the database
 * after opening. One broker per set of tables.
 */
public final class JdbcPersistence implements Persistence {
  private static final java.util.logging.Logger LOG =
      java.util.logging.Logger.getLogger(JdbcPersistence.class.getName());

  /** Store format written by this version, kept in ferrymq_meta. */
  public static final int FORMAT_VERSION = 3;

  /** The schema, as created when missing (PostgreSQL types; BYTEA is a byte string). */
  public static final List<String> DDL = List.of(
      "CREATE TABLE IF NOT EXISTS ferrymq_meta (name VARCHAR(64) PRIMARY KEY, "
          + "value VARCHAR(256) NOT NULL)",
      "CREATE TABLE IF NOT EXISTS ferrymq_session (client_id VARCHAR(65535) PRIMARY KEY, "
          + "record BYTEA NOT NULL)",
      "CREATE TABLE IF NOT EXISTS ferrymq_delivery (client_id VARCHAR(65535) NOT NULL, "
          + "seq BIGINT NOT NULL, record BYTEA NOT NULL, PRIMARY KEY (client_id, seq))",
      "CREATE TABLE IF NOT EXISTS ferrymq_retained (topic_key BYTEA PRIMARY KEY, "
          + "record BYTEA NOT NULL)");

  private static final byte[] REMOVED = new byte[0];
  private static final int VALIDATION_TIMEOUT_SECONDS = 5;

  private final DataSource dataSource;
  private final String description;
  private final PersistenceMode mode;
  private final GroupCommitter committer;
  private final ReentrantLock lock = new ReentrantLock();
  private Batch pending = new Batch();
  /** A batch whose transaction failed; written before {@link #pending} on the next try. */
  private Batch failed;
  private volatile boolean open = true;
  private final Sessions sessions = new Sessions();
  private final Queues queues = new Queues();
  private final Retained retained = new Retained();

  private JdbcPersistence(DataSource dataSource, PersistenceMode mode, long syncIntervalMillis,
      RecoveryBackoff recovery) {
    if (mode == PersistenceMode.NONE) {
      throw new IllegalArgumentException("mode none keeps no store");
    }
    this.dataSource = dataSource;
    this.mode = mode;
    this.description = prepare();
    this.committer = new GroupCommitter("Database " + description, new GroupCommitter.Target() {
      @Override
      public boolean hasChanges() {
        lock.lock();
        try {
          return failed != null || !pending.isEmpty();
        } finally {
          lock.unlock();
        }
      }

      @Override
      public void commitAndSync() throws SQLException {
        writePending();
      }

      @Override
      public void reopen() throws SQLException {
        verifyConnection();
      }
    }, mode == PersistenceMode.PERSISTENT, syncIntervalMillis, recovery);
  }

  /**
   * Creates the tables if missing, checks the format version and every record's checksum, and
   * starts the commit task.
   *
   * @param dataSource the database
   * @param mode {@link PersistenceMode#QUEUED} or {@link PersistenceMode#PERSISTENT}
   * @param syncIntervalMillis how often changes nobody waits for are written
   * @param committerExecutor runs the one long-lived commit task
   * @return the open store
   * @throws PersistenceException if the database cannot be used, naming it
   */
  public static JdbcPersistence open(DataSource dataSource, PersistenceMode mode,
      long syncIntervalMillis, Executor committerExecutor) {
    return open(dataSource, mode, syncIntervalMillis, committerExecutor,
        RecoveryBackoff.defaults());
  }

  /**
   * Opens the store as above, with the schedule for probing the database after a failure.
   *
   * @param recovery how often a failed database is tried again
   */
  public static JdbcPersistence open(DataSource dataSource, PersistenceMode mode,
      long syncIntervalMillis, Executor committerExecutor, RecoveryBackoff recovery) {
    JdbcPersistence p = new JdbcPersistence(dataSource, mode, syncIntervalMillis, recovery);
    p.committer.start(committerExecutor);
    return p;
  }

  private String prepare() {
    String where = "the database";
    try (Connection c = dataSource.getConnection()) {
      // without the query string, which can hold the password
      where = c.getMetaData().getURL().split("\\?", 2)[0];
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        for (String ddl : DDL) {
          st.execute(ddl);
        }
      }
      checkFormat(c, where);
      c.commit();
      verify(c, where, "SELECT client_id, record FROM ferrymq_session",
          RecordCodec.sessionKind());
      verify(c, where, "SELECT client_id, record FROM ferrymq_delivery",
          RecordCodec.deliveryKind());
      verify(c, where, "SELECT topic_key, record FROM ferrymq_retained",
          RecordCodec.messageKind());
      c.commit();
      return where;
    } catch (SQLException e) {
      throw new PersistenceException("Cannot use " + where + " for persistence: "
          + e.getMessage(), e);
    }
  }

  private static void checkFormat(Connection c, String where) throws SQLException {
    try (PreparedStatement q = c.prepareStatement(
        "SELECT value FROM ferrymq_meta WHERE name = 'format'");
        ResultSet rs = q.executeQuery()) {
      if (rs.next()) {
        String value = rs.getString(1);
        int version;
        try {
          version = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
          throw new PersistenceException("Table ferrymq_meta in " + where + " has an "
              + "unreadable format version '" + value + "'; refusing to use it.", e);
        }
        if (version > FORMAT_VERSION) {
          throw new PersistenceException("The FerryMQ tables in " + where + " have format "
              + "version " + version + ", written by a newer FerryMQ; this version reads format "
              + FORMAT_VERSION + " and older. Run the newer FerryMQ, or drop the ferrymq_* "
              + "tables to start empty.");
        }
        if (version < FORMAT_VERSION) {
          // Older rows are read as they are (by their layout's branch); new ones get the current layout
          try (PreparedStatement up = c.prepareStatement(
              "UPDATE ferrymq_meta SET value = ? WHERE name = 'format'")) {
            up.setString(1, Integer.toString(FORMAT_VERSION));
            up.executeUpdate();
          }
        }
        return;
      }
    }
    try (PreparedStatement ins = c.prepareStatement(
        "INSERT INTO ferrymq_meta (name, value) VALUES ('format', ?)")) {
      ins.setString(1, Integer.toString(FORMAT_VERSION));
      ins.executeUpdate();
    }
  }

  private static void verify(Connection c, String where, String sql, int kind)
      throws SQLException {
    try (Statement st = c.createStatement()) {
      st.setFetchSize(500);
      try (ResultSet rs = st.executeQuery(sql)) {
        while (rs.next()) {
          try {
            RecordCodec.verify(rs.getBytes(2), kind);
          } catch (RecordFormatException e) {
            Object key = rs.getObject(1);
            throw new PersistenceException("A FerryMQ table in " + where + " is damaged: row '"
                + (key instanceof byte[] ? "topic hash" : key) + "' of '" + sql + "': "
                + e.getMessage() + ". Repair or delete the row, or drop the ferrymq_* tables to "
                + "start empty.", e);
          }
        }
      }
    }
  }

  /**
   * After a failure: a new connection from the data source (a pool hands out a fresh one once
   * the broken ones are purged) that answers, and tables that are still FerryMQ's. The commit
   * that follows writes the failed batch before newer changes.
   */
  private void verifyConnection() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      if (!c.isValid(VALIDATION_TIMEOUT_SECONDS)) {
        throw new SQLException("connection to " + description + " is not valid");
      }
      try (PreparedStatement q = c.prepareStatement(
          "SELECT value FROM ferrymq_meta WHERE name = 'format'");
          ResultSet rs = q.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("ferrymq_meta in " + description + " has no format version");
        }
      }
    }
  }

  /** Writes everything collected so far and waits for the commit, whatever the mode. */
  void syncNowForTest() {
    committer.flush();
  }

  /** @return how many commit cycles have written to the database */
  long syncCount() {
    return committer.syncCount();
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
    return open ? committer.fault() : "Database " + description + " is closed";
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
    return "jdbc " + description + " (" + mode.value() + ")";
  }

  @Override
  public synchronized void close() {
    if (open) {
      open = false;
      committer.close();
      if (committer.failure() != null) {
        LOG.warning(() -> "Database " + description + " closed while failed: changes since its "
            + "last successful transaction are not in it");
      }
    }
  }

  // ---------------------------------------------------------------- writing

  /** Collected changes; later changes to a row replace earlier ones. */
  private static final class Batch {
    final Set<String> sessionDeletes = new HashSet<>();
    final Map<String, byte[]> sessionPuts = new LinkedHashMap<>();
    final Set<String> queueClears = new HashSet<>();
    /** client id to sequence to record, or {@link #REMOVED} */
    final Map<String, TreeMap<Long, byte[]>> deliveries = new HashMap<>();
    /** topic to record, or {@link #REMOVED} */
    final Map<String, byte[]> retained = new LinkedHashMap<>();

    boolean isEmpty() {
      return sessionDeletes.isEmpty() && sessionPuts.isEmpty() && queueClears.isEmpty()
          && deliveries.isEmpty() && retained.isEmpty();
    }
  }

  private void change(java.util.function.Consumer<Batch> c) {
    lock.lock();
    try {
      c.accept(pending);
    } finally {
      lock.unlock();
    }
  }

  private void writePending() throws SQLException {
    Batch retry;
    Batch current;
    lock.lock();
    try {
      retry = failed;
      current = pending;
      failed = null;
      pending = new Batch();
    } finally {
      lock.unlock();
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        if (retry != null) {
          write(c, retry);
        }
        write(c, current);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      lock.lock();
      try {
        failed = merge(retry, current);
      } finally {
        lock.unlock();
      }
      throw e;
    }
  }

  /** Applies {@code later} on top of {@code earlier}, as if written after it. */
  private static Batch merge(Batch earlier, Batch later) {
    if (earlier == null) {
      return later;
    }
    for (String id : later.sessionDeletes) {
      earlier.sessionPuts.remove(id);
      earlier.sessionDeletes.add(id);
    }
    earlier.sessionPuts.putAll(later.sessionPuts);
    for (String id : later.queueClears) {
      earlier.deliveries.remove(id);
      earlier.queueClears.add(id);
    }
    later.deliveries.forEach((id, q) -> earlier.deliveries
        .computeIfAbsent(id, k -> new TreeMap<>()).putAll(q));
    earlier.retained.putAll(later.retained);
    return earlier;
  }

  private static void write(Connection c, Batch b) throws SQLException {
    Set<String> sessionRows = new HashSet<>(b.sessionDeletes);
    sessionRows.addAll(b.sessionPuts.keySet());
    try (PreparedStatement del = c.prepareStatement(
        "DELETE FROM ferrymq_session WHERE client_id = ?")) {
      for (String id : sessionRows) {
        del.setString(1, id);
        del.addBatch();
      }
      executeIfAny(del, sessionRows.size());
    }
    try (PreparedStatement ins = c.prepareStatement(
        "INSERT INTO ferrymq_session (client_id, record) VALUES (?, ?)")) {
      for (Map.Entry<String, byte[]> e : b.sessionPuts.entrySet()) {
        ins.setString(1, e.getKey());
        ins.setBytes(2, e.getValue());
        ins.addBatch();
      }
      executeIfAny(ins, b.sessionPuts.size());
    }
    try (PreparedStatement del = c.prepareStatement(
        "DELETE FROM ferrymq_delivery WHERE client_id = ?")) {
      for (String id : b.queueClears) {
        del.setString(1, id);
        del.addBatch();
      }
      executeIfAny(del, b.queueClears.size());
    }
    int rows = 0;
    int puts = 0;
    try (PreparedStatement del = c.prepareStatement(
        "DELETE FROM ferrymq_delivery WHERE client_id = ? AND seq = ?")) {
      for (Map.Entry<String, TreeMap<Long, byte[]>> q : b.deliveries.entrySet()) {
        for (Map.Entry<Long, byte[]> d : q.getValue().entrySet()) {
          del.setString(1, q.getKey());
          del.setLong(2, d.getKey());
          del.addBatch();
          rows++;
          puts += d.getValue() == REMOVED ? 0 : 1;
        }
      }
      executeIfAny(del, rows);
    }
    try (PreparedStatement ins = c.prepareStatement(
        "INSERT INTO ferrymq_delivery (client_id, seq, record) VALUES (?, ?, ?)")) {
      for (Map.Entry<String, TreeMap<Long, byte[]>> q : b.deliveries.entrySet()) {
        for (Map.Entry<Long, byte[]> d : q.getValue().entrySet()) {
          if (d.getValue() != REMOVED) {
            ins.setString(1, q.getKey());
            ins.setLong(2, d.getKey());
            ins.setBytes(3, d.getValue());
            ins.addBatch();
          }
        }
      }
      executeIfAny(ins, puts);
    }
    int retainedPuts = 0;
    try (PreparedStatement del = c.prepareStatement(
        "DELETE FROM ferrymq_retained WHERE topic_key = ?")) {
      for (Map.Entry<String, byte[]> e : b.retained.entrySet()) {
        del.setBytes(1, topicKey(e.getKey()));
        del.addBatch();
        retainedPuts += e.getValue() == REMOVED ? 0 : 1;
      }
      executeIfAny(del, b.retained.size());
    }
    try (PreparedStatement ins = c.prepareStatement(
        "INSERT INTO ferrymq_retained (topic_key, record) VALUES (?, ?)")) {
      for (Map.Entry<String, byte[]> e : b.retained.entrySet()) {
        if (e.getValue() != REMOVED) {
          ins.setBytes(1, topicKey(e.getKey()));
          ins.setBytes(2, e.getValue());
          ins.addBatch();
        }
      }
      executeIfAny(ins, retainedPuts);
    }
  }

  private static void executeIfAny(PreparedStatement st, int count) throws SQLException {
    if (count > 0) {
      st.executeBatch();
    }
  }

  /** Topics can be 65535 bytes, too long for an index key; rows are keyed by SHA-256. */
  static byte[] topicKey(String topic) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(topic.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE has SHA-256", e);
    }
  }

  // ---------------------------------------------------------------- reading (at start)

  private interface RowReader<T> {
    T read(byte[] record) throws RecordFormatException;
  }

  private <T> List<T> query(String sql, String param, RowReader<T> reader) {
    committer.flush();
    List<T> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement q = c.prepareStatement(sql)) {
      if (param != null) {
        q.setString(1, param);
      }
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(reader.read(rs.getBytes(1)));
        }
      }
    } catch (SQLException e) {
      throw new PersistenceException("Cannot read from " + description + ": " + e.getMessage(),
          e);
    } catch (RecordFormatException e) {
      throw new PersistenceException("A FerryMQ table in " + description + " is damaged ("
          + sql + "): " + e.getMessage(), e);
    }
    return out;
  }

  private final class Sessions implements SessionStore {
    @Override
    public void save(StoredSession session) {
      byte[] record = RecordCodec.encodeSession(session);
      change(b -> b.sessionPuts.put(session.clientId(), record));
    }

    @Override
    public void delete(String clientId) {
      change(b -> {
        b.sessionPuts.remove(clientId);
        b.sessionDeletes.add(clientId);
        b.deliveries.remove(clientId);
        b.queueClears.add(clientId);
      });
    }

    @Override
    public List<StoredSession> loadSessions() {
      return query("SELECT record FROM ferrymq_session", null, RecordCodec::decodeSession);
    }
  }

  private final class Queues implements QueueStore {
    @Override
    public void put(String clientId, StoredDelivery delivery) {
      byte[] record = RecordCodec.encodeDelivery(delivery);
      change(b -> b.deliveries.computeIfAbsent(clientId, k -> new TreeMap<>())
          .put(delivery.sequence(), record));
    }

    @Override
    public void remove(String clientId, long sequence) {
      change(b -> b.deliveries.computeIfAbsent(clientId, k -> new TreeMap<>())
          .put(sequence, REMOVED));
    }

    @Override
    public void clear(String clientId) {
      change(b -> {
        b.deliveries.remove(clientId);
        b.queueClears.add(clientId);
      });
    }

    @Override
    public List<StoredDelivery> load(String clientId) {
      return query("SELECT record FROM ferrymq_delivery WHERE client_id = ? ORDER BY seq",
          clientId, RecordCodec::decodeDelivery);
    }
  }

  private final class Retained implements RetainedStore {
    @Override
    public void put(Message message) {
      byte[] record = RecordCodec.encodeMessage(message);
      change(b -> b.retained.put(message.topic(), record));
    }

    @Override
    public void remove(String topic) {
      change(b -> b.retained.put(topic, REMOVED));
    }

    @Override
    public List<Message> loadRetained() {
      return query("SELECT record FROM ferrymq_retained", null, RecordCodec::decodeMessage);
    }
  }
}
