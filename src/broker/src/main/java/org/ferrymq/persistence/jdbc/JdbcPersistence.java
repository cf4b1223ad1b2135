package org.ferrymq.persistence.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.sql.DataSource;
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
import org.ferrymq.persistence.common.RecordCodec;
import org.ferrymq.persistence.common.RecordFormatException;

/**
 * The JDBC backend: four tables ({@link JdbcSchema}) in the database of a {@link DataSource},
 * created if missing. Tested against PostgreSQL; the SQL is plain (CREATE TABLE IF NOT EXISTS,
 * DELETE and INSERT in batches), so other databases with those should work. Lifecycle, format
 * check, verification wording and fault glue are {@link DurablePersistence}'s; this class adds
 * the storage: collected batches ({@link JdbcBatch}) and reads.
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
public final class JdbcPersistence extends DurablePersistence {

  private final DataSource dataSource;
  private final String description;
  private final ReentrantLock lock = new ReentrantLock();
  private JdbcBatch pending = new JdbcBatch();
  /** A batch whose transaction failed; written before {@link #pending} on the next try. */
  private JdbcBatch failed;

  private JdbcPersistence(DataSource dataSource, PersistenceMode mode, long syncIntervalMillis,
      RecoveryBackoff recovery) {
    super(mode, "jdbc");
    this.dataSource = dataSource;
    this.description = JdbcSchema.prepare(dataSource);
    attach("Database", description, new Sessions(), new Queues(), new Retained(),
        syncIntervalMillis, recovery);
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
    p.startCommitting(committerExecutor);
    return p;
  }

  @Override
  protected boolean hasUncommittedChanges() {
    lock.lock();
    try {
      return failed != null || !pending.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  /** After a failure: a database that answers with tables that are still FerryMQ's. */
  @Override
  protected void reopen() throws SQLException {
    JdbcSchema.probe(dataSource, description);
  }

  /** Nothing to close: every connection is returned to the data source after use. */
  @Override
  protected void closeStorage(boolean failedStore) {
  }

  // ---------------------------------------------------------------- writing

  private void change(Consumer<JdbcBatch> c) {
    lock.lock();
    try {
      c.accept(pending);
    } finally {
      lock.unlock();
    }
  }

  /** Writes the failed batch, if any, then the pending one, in one transaction. */
  @Override
  protected void commitAndSync() throws SQLException {
    JdbcBatch retry;
    JdbcBatch current;
    lock.lock();
    try {
      retry = failed;
      current = pending;
      failed = null;
      pending = new JdbcBatch();
    } finally {
      lock.unlock();
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        if (retry != null) {
          retry.writeTo(c);
        }
        current.writeTo(c);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      lock.lock();
      try {
        failed = JdbcBatch.merge(retry, current);
      } finally {
        lock.unlock();
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- reading (at start)

  private interface RowReader<T> {
    T read(byte[] record) throws RecordFormatException;
  }

  private <T> List<T> query(String sql, String param, RowReader<T> reader) {
    syncNow();
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
      change(b -> b.queue(clientId).put(delivery.sequence(), record));
    }

    @Override
    public void remove(String clientId, long sequence) {
      change(b -> b.queue(clientId).put(sequence, JdbcBatch.REMOVED));
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
          ClientIdColumn.of(clientId), RecordCodec::decodeDelivery);
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
      change(b -> b.retained.put(topic, JdbcBatch.REMOVED));
    }

    @Override
    public List<Message> loadRetained() {
      return query("SELECT record FROM ferrymq_retained", null, RecordCodec::decodeMessage);
    }
  }
}
