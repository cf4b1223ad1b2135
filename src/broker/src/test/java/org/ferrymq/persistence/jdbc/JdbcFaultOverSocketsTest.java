package org.ferrymq.persistence.jdbc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.RecoveryBackoff;
import org.ferrymq.persistence.StoreFaultScenario;
import org.ferrymq.persistence.common.GroupCommitter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The database goes down (the test's PostgreSQL cluster is stopped as by a crash) while Paho
 * clients publish over TCP, and comes back on the same port: see {@link StoreFaultScenario}.
 * Recovery needs a new connection; nothing here restarts the broker.
 */
class JdbcFaultOverSocketsTest {
  private static PostgresCluster cluster;

  @BeforeAll
  static void startDatabase() throws Exception {
    cluster = PostgresCluster.start();
  }

  @AfterAll
  static void stopDatabase() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @ParameterizedTest
  @EnumSource(value = PersistenceMode.class, names = {"QUEUED", "PERSISTENT"})
  void databaseDownHoldsPublishesAndRecoversWithoutRestart(PersistenceMode mode)
      throws Exception {
    try (var c = cluster.dataSource().getConnection(); var st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS ferrymq_meta, ferrymq_session, ferrymq_delivery, "
          + "ferrymq_retained");
    }
    JdbcPersistence store = JdbcPersistence.open(cluster.dataSource(), mode, 50,
        GroupCommitter.daemonThreads("jdbc-fault-commit"), new RecoveryBackoff(50, 500));

    StoreFaultScenario.Report report = StoreFaultScenario.run(store, () -> {
      try {
        cluster.stopServer();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, () -> {
      try {
        cluster.startServer();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });

    String line = "PostgreSQL stopped (pg_ctl -m immediate) and started, mode " + mode.value()
        + ": " + report;
    System.out.println(line);
    Path out = Path.of(System.getProperty("buildDirectory", "target"),
        "store-fault-report.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, line + System.lineSeparator(), StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }
}
