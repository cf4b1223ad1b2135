package org.ferrymq.persistence.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Changes collected for one transaction; later changes to a row replace earlier ones, so a
 * message queued, sent and acknowledged within one interval costs nothing. {@link #writeTo}
 * writes them as batched DELETEs and INSERTs.
 *
 * <p>Not thread-safe: {@link JdbcPersistence} changes it under its lock and hands a full batch
 * to its commit task.
 */
final class JdbcBatch {
  /** Marks a removed row. */
  static final byte[] REMOVED = new byte[0];

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

  /** @return one client's deliveries, sequence to record */
  TreeMap<Long, byte[]> queue(String clientId) {
    return deliveries.computeIfAbsent(clientId, k -> new TreeMap<>());
  }

  /** Applies {@code later} on top of {@code earlier}, as if written after it. */
  static JdbcBatch merge(JdbcBatch earlier, JdbcBatch later) {
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
    later.deliveries.forEach((id, q) -> earlier.queue(id).putAll(q));
    earlier.retained.putAll(later.retained);
    return earlier;
  }

  /** Writes every change in the connection's open transaction. */
  void writeTo(Connection c) throws SQLException {
    Set<String> sessionRows = new HashSet<>(sessionDeletes);
    sessionRows.addAll(sessionPuts.keySet());
    deleteEach(c, "DELETE FROM ferrymq_session WHERE client_id = ?", sessionRows);
    try (PreparedStatement ins = c.prepareStatement(
        "INSERT INTO ferrymq_session (client_id, record) VALUES (?, ?)")) {
      for (Map.Entry<String, byte[]> e : sessionPuts.entrySet()) {
        ins.setString(1, ClientIdColumn.of(e.getKey()));
        ins.setBytes(2, e.getValue());
        ins.addBatch();
      }
      executeIfAny(ins, sessionPuts.size());
    }
    deleteEach(c, "DELETE FROM ferrymq_delivery WHERE client_id = ?", queueClears);
    writeDeliveries(c);
    writeRetained(c);
  }

  private void writeDeliveries(Connection c) throws SQLException {
    int rows = 0;
    int puts = 0;
    try (PreparedStatement del = c.prepareStatement(
        "DELETE FROM ferrymq_delivery WHERE client_id = ? AND seq = ?")) {
      for (Map.Entry<String, TreeMap<Long, byte[]>> q : deliveries.entrySet()) {
        for (Map.Entry<Long, byte[]> d : q.getValue().entrySet()) {
          del.setString(1, ClientIdColumn.of(q.getKey()));
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
      for (Map.Entry<String, TreeMap<Long, byte[]>> q : deliveries.entrySet()) {
        for (Map.Entry<Long, byte[]> d : q.getValue().entrySet()) {
          if (d.getValue() != REMOVED) {
            ins.setString(1, ClientIdColumn.of(q.getKey()));
            ins.setLong(2, d.getKey());
            ins.setBytes(3, d.getValue());
            ins.addBatch();
          }
        }
      }
      executeIfAny(ins, puts);
    }
  }

  private void writeRetained(Connection c) throws SQLException {
    int puts = 0;
    try (PreparedStatement del = c.prepareStatement(
        "DELETE FROM ferrymq_retained WHERE topic_key = ?")) {
      for (Map.Entry<String, byte[]> e : retained.entrySet()) {
        del.setBytes(1, topicKey(e.getKey()));
        del.addBatch();
        puts += e.getValue() == REMOVED ? 0 : 1;
      }
      executeIfAny(del, retained.size());
    }
    try (PreparedStatement ins = c.prepareStatement(
        "INSERT INTO ferrymq_retained (topic_key, record) VALUES (?, ?)")) {
      for (Map.Entry<String, byte[]> e : retained.entrySet()) {
        if (e.getValue() != REMOVED) {
          ins.setBytes(1, topicKey(e.getKey()));
          ins.setBytes(2, e.getValue());
          ins.addBatch();
        }
      }
      executeIfAny(ins, puts);
    }
  }

  /** Deletes the rows of each client identifier, with one statement parameter. */
  private static void deleteEach(Connection c, String sql, Collection<String> clientIds)
      throws SQLException {
    try (PreparedStatement del = c.prepareStatement(sql)) {
      for (String id : clientIds) {
        del.setString(1, ClientIdColumn.of(id));
        del.addBatch();
      }
      executeIfAny(del, clientIds.size());
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
}
