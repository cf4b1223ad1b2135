package org.ferrymq.persistence.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.persistence.DeliveryState;
import org.ferrymq.persistence.PersistenceException;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.ReopenScenario;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.persistence.common.GroupCommitter;
import org.ferrymq.topic.SubscriptionEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JDBC backend against a real PostgreSQL, started for this class. */
class JdbcPersistenceTest {
  private static PostgresCluster cluster;
  private static DataSource dataSource;

  private final List<JdbcPersistence> opened = new ArrayList<>();

  @BeforeAll
  static void startDatabase() throws Exception {
    cluster = PostgresCluster.start();
    dataSource = cluster.dataSource();
  }

  @AfterAll
  static void stopDatabase() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void dropTables() throws SQLException {
    sql("DROP TABLE IF EXISTS ferrymq_meta, ferrymq_session, ferrymq_delivery, "
        + "ferrymq_retained");
  }

  @AfterEach
  void closeAll() {
    opened.forEach(JdbcPersistence::close);
  }

  private JdbcPersistence open(PersistenceMode mode) {
    JdbcPersistence p = JdbcPersistence.open(dataSource, mode, 200,
        GroupCommitter.daemonThreads("jdbc-commit"));
    opened.add(p);
    return p;
  }

  private static void sql(String statement) throws SQLException {
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
      st.execute(statement);
    }
  }

  private static long count(String table) throws SQLException {
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static StoredDelivery delivery(long seq, String payload, DeliveryState state) {
    Message m = new Message("t/" + seq, payload.getBytes(StandardCharsets.UTF_8),
        QoS.AT_LEAST_ONCE, false, Properties.EMPTY, 0, "pub");
    return new StoredDelivery(seq, m, QoS.AT_LEAST_ONCE, false, List.of(), null,
        state == DeliveryState.QUEUED ? 0 : (int) seq, state);
  }

  static StoredSession session(String clientId) {
    return new StoredSession(clientId, 4, 0xFFFF_FFFFL, 5, List.of(new SubscriptionEntry(
        clientId, "t/#", "g", QoS.AT_LEAST_ONCE, false, false, RetainHandling.SEND_ON_SUBSCRIBE,
        0)), Set.of());
  }

  private static String payloads(List<StoredDelivery> ds) {
    return String.join(" ", ds.stream().map(d -> new String(d.message().payload(),
        StandardCharsets.UTF_8) + ":" + d.state()).toList());
  }

  @Test
  void reopenKeepsEverything() {
    JdbcPersistence sut = open(PersistenceMode.PERSISTENT);
    ReopenScenario.write(sut);
    sut.close();

    ReopenScenario.assertKept(open(PersistenceMode.PERSISTENT));
  }

  @Test
  void changesAcrossCommitCyclesAreAppliedInOrder() throws Exception {
    JdbcPersistence sut = open(PersistenceMode.PERSISTENT);
    sut.queues().put("c", delivery(1, "first", DeliveryState.QUEUED));
    sut.syncNow();
    sut.queues().clear("c");
    sut.queues().put("c", delivery(2, "after clear", DeliveryState.QUEUED));
    sut.syncNow();
    sut.queues().remove("c", 2);
    sut.queues().put("c", delivery(2, "put again", DeliveryState.AWAITING_ACK));

    assertEquals("put again:AWAITING_ACK", payloads(sut.queues().load("c")));
    assertEquals(1, count("ferrymq_delivery"));
  }

  @Test
  void newerFormatVersionIsRefusedNamingTheDatabase() throws Exception {
    open(PersistenceMode.QUEUED).close();
    sql("UPDATE ferrymq_meta SET value = '99' WHERE name = 'format'");

    PersistenceException e = assertThrows(PersistenceException.class,
        () -> open(PersistenceMode.QUEUED));

    assertTrue(e.getMessage().contains("format version 99"), e.getMessage());
    assertTrue(e.getMessage().contains(cluster.jdbcUrl().substring(0, 30)), e.getMessage());
  }

  @Test
  void damagedRowIsRefused() throws Exception {
    JdbcPersistence sut = open(PersistenceMode.PERSISTENT);
    sut.queues().put("c", delivery(7, "to be damaged", DeliveryState.QUEUED));
    sut.close();
    sql("UPDATE ferrymq_delivery SET record = overlay(record placing '\\x00'::bytea from 10)");

    PersistenceException e = assertThrows(PersistenceException.class,
        () -> open(PersistenceMode.PERSISTENT));

    System.out.println("damaged row: " + e.getMessage());
    assertTrue(e.getMessage().contains("damaged") && e.getMessage().contains("'c'"),
        e.getMessage());
  }

  @Test
  void concurrentAcknowledgementsShareTransactions() throws Exception {
    JdbcPersistence sut = open(PersistenceMode.PERSISTENT);
    int threads = 8;
    int perThread = 250;
    int n = threads * perThread;
    CountDownLatch durable = new CountDownLatch(n);
    CyclicBarrier start = new CyclicBarrier(threads);
    long before = sut.syncCount();
    for (int t = 0; t < threads; t++) {
      String client = "client-" + t;
      new Thread(() -> {
        try {
          start.await();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        for (int i = 0; i < perThread; i++) {
          sut.queues().put(client, delivery(i, "m" + i, DeliveryState.QUEUED));
          sut.afterDurable(durable::countDown);
        }
      }).start();
    }

    assertTrue(durable.await(30, TimeUnit.SECONDS), "every callback ran");
    long commits = sut.syncCount() - before;
    System.out.printf("jdbc group commit: %d acknowledgements, %d transactions%n", n, commits);
    assertTrue(commits < n / 4, n + " acknowledgements took " + commits + " transactions");
    assertEquals(n, count("ferrymq_delivery"));
  }
}
