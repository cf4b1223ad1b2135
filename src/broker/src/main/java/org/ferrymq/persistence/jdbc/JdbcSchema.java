package org.ferrymq.persistence.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.ferrymq.persistence.PersistenceException;
import org.ferrymq.persistence.common.DurablePersistence;
import org.ferrymq.persistence.common.RecordCodec;
import org.ferrymq.persistence.common.StoreChecks;

/**
 * The JDBC backend's tables: created when missing, their format version checked and every row's
 * checksum verified at open ({@link #prepare}), and probed after a failure ({@link #probe}).
 * Stateless.
 */
final class JdbcSchema {

  /** The schema, as created when missing (PostgreSQL types; BYTEA is a byte string). */
  static final List<String> DDL = List.of(
      "CREATE TABLE IF NOT EXISTS ferrymq_meta (name VARCHAR(64) PRIMARY KEY, "
          + "value VARCHAR(256) NOT NULL)",
      "CREATE TABLE IF NOT EXISTS ferrymq_session (client_id VARCHAR(65535) PRIMARY KEY, "
          + "record BYTEA NOT NULL)",
      "CREATE TABLE IF NOT EXISTS ferrymq_delivery (client_id VARCHAR(65535) NOT NULL, "
          + "seq BIGINT NOT NULL, record BYTEA NOT NULL, PRIMARY KEY (client_id, seq))",
      "CREATE TABLE IF NOT EXISTS ferrymq_retained (topic_key BYTEA PRIMARY KEY, "
          + "record BYTEA NOT NULL)");

  private static final String SELECT_FORMAT = "SELECT value FROM ferrymq_meta WHERE name = "
      + "'format'";
  private static final int VALIDATION_TIMEOUT_SECONDS = 5;

  private JdbcSchema() {
  }

  /**
   * Creates the tables if missing, checks the format version and every record's checksum.
   *
   * @return the database's URL without its query string (which can hold the password)
   * @throws PersistenceException if the database cannot be used, naming it
   */
  static String prepare(DataSource dataSource) {
    String where = "the database";
    try (Connection c = dataSource.getConnection()) {
      where = c.getMetaData().getURL().split("\\?", 2)[0];
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        for (String ddl : DDL) {
          st.execute(ddl);
        }
      }
      StoreChecks checks = new StoreChecks("Table ferrymq_meta in " + where,
          "The FerryMQ tables in " + where + " have", "A FerryMQ table in " + where,
          "Repair or delete the row", "drop the ferrymq_* tables to start empty");
      checkFormat(c, checks);
      c.commit();
      verify(c, checks, "SELECT client_id, record FROM ferrymq_session",
          RecordCodec.sessionKind());
      verify(c, checks, "SELECT client_id, record FROM ferrymq_delivery",
          RecordCodec.deliveryKind());
      verify(c, checks, "SELECT topic_key, record FROM ferrymq_retained",
          RecordCodec.messageKind());
      c.commit();
      return where;
    } catch (SQLException e) {
      throw new PersistenceException("Cannot use " + where + " for persistence: "
          + e.getMessage(), e);
    }
  }

  private static void checkFormat(Connection c, StoreChecks checks) throws SQLException {
    String stored = null;
    try (PreparedStatement q = c.prepareStatement(SELECT_FORMAT);
        ResultSet rs = q.executeQuery()) {
      if (rs.next()) {
        stored = rs.getString(1).trim();
      }
    }
    if (!checks.formatNeedsWriting(stored)) {
      return;
    }
    try (PreparedStatement write = c.prepareStatement(stored == null
        ? "INSERT INTO ferrymq_meta (name, value) VALUES ('format', ?)"
        : "UPDATE ferrymq_meta SET value = ? WHERE name = 'format'")) {
      write.setString(1, Integer.toString(DurablePersistence.FORMAT_VERSION));
      write.executeUpdate();
    }
  }

  private static void verify(Connection c, StoreChecks checks, String sql, int kind)
      throws SQLException {
    try (Statement st = c.createStatement()) {
      st.setFetchSize(500);
      try (ResultSet rs = st.executeQuery(sql)) {
        while (rs.next()) {
          checks.verify(rs.getBytes(2), kind, () -> "row '" + key(rs) + "' of '" + sql + "'");
        }
      }
    }
  }

  /** Read only for a damaged row; a retained message's key is a hash, not worth printing. */
  private static Object key(ResultSet row) {
    try {
      Object key = row.getObject(1);
      return key instanceof byte[] ? "topic hash" : key;
    } catch (SQLException e) {
      return "(unreadable key: " + e.getMessage() + ")";
    }
  }

  /**
   * After a failure: a new connection from the data source (a pool hands out a fresh one once
   * the broken ones are purged) that answers, and tables that are still FerryMQ's.
   *
   * @param description names the database in the exception
   */
  static void probe(DataSource dataSource, String description) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      if (!c.isValid(VALIDATION_TIMEOUT_SECONDS)) {
        throw new SQLException("connection to " + description + " is not valid");
      }
      try (PreparedStatement q = c.prepareStatement(SELECT_FORMAT);
          ResultSet rs = q.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("ferrymq_meta in " + description + " has no format version");
        }
      }
    }
  }
}
