package org.ferrymq.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.naming.NameNotFoundException;
import javax.sql.DataSource;
import org.ferrymq.config.ConfigException;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.PersistenceSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerPersistenceTest {

  private static final Executor DIRECT = Runnable::run;
  private static final BrokerPersistence.DataSourceLookup NO_JNDI = name -> {
    throw new NameNotFoundException(name);
  };

  @TempDir
  Path temp;

  private final Map<String, String> config = new HashMap<>();

  private BrokerPersistence load(BrokerPersistence.DataSourceLookup jndi) {
    return BrokerPersistence.load(key -> Optional.ofNullable(config.get(key)),
        Optional.of(temp.resolve("server")), DIRECT, jndi);
  }

  @Test
  void defaultsToQueuedMvStoreUnderTheServerOutputDirectory() {
    BrokerPersistence persistence = load(NO_JNDI);

    assertEquals(PersistenceMode.QUEUED, persistence.settings().mode());
    assertEquals(temp.resolve("server").resolve("ferrymq-data"),
        persistence.settings().directory());
    assertSame(DIRECT, persistence.settings().committerExecutor());
    assertEquals(new BrokerPersistence.Summary("queued", "mvstore",
        temp.resolve("server/ferrymq-data").toString()), persistence.summary());
  }

  @Test
  void theBanListLivesInTheDataDirectoryWhateverTheMode() {
    assertEquals(temp.resolve("server/ferrymq-data/bans.txt"), load(NO_JNDI).banFile());
    config.put(PersistenceSettings.MODE_KEY, "none");
    assertEquals(temp.resolve("server/ferrymq-data/bans.txt"), load(NO_JNDI).banFile(),
        "bans outlive a restart even when the broker keeps its sessions in memory");
  }

  @Test
  void anUnexpandedVariableFallsBackToTheServerOutputDirectory() {
    config.put(PersistenceSettings.DIR_KEY, "${server.output.dir}/ferrymq-data");

    assertEquals(temp.resolve("server").resolve("ferrymq-data"),
        load(NO_JNDI).settings().directory());
  }

  @Test
  void readsModeDirectoryAndInterval() {
    config.put(PersistenceSettings.MODE_KEY, "PERSISTENT");
    config.put(PersistenceSettings.DIR_KEY, temp.resolve("data").toString());
    config.put(PersistenceSettings.SYNC_INTERVAL_KEY, "250");

    BrokerPersistence persistence = load(NO_JNDI);

    assertEquals(PersistenceMode.PERSISTENT, persistence.settings().mode());
    assertEquals(250, persistence.settings().syncIntervalMillis());
    assertEquals(new BrokerPersistence.Summary("persistent", "mvstore",
        temp.resolve("data").toString()), persistence.summary());
  }

  @Test
  void modeNoneKeepsEverythingInMemory() {
    config.put(PersistenceSettings.MODE_KEY, "none");

    BrokerPersistence persistence = load(NO_JNDI);
    Persistence store = persistence.open();

    assertEquals(new BrokerPersistence.Summary("none", "memory", "memory"),
        persistence.summary());
    assertTrue(store.isHealthy());
    persistence.close();
    assertTrue(Files.notExists(temp.resolve("server")), "mode none created a directory");
  }

  @Test
  void invalidValuesNameTheirKey() {
    config.put(PersistenceSettings.MODE_KEY, "sometimes");
    ConfigException mode = assertThrows(ConfigException.class, () -> load(NO_JNDI));
    assertEquals(PersistenceSettings.MODE_KEY, mode.key());

    config.remove(PersistenceSettings.MODE_KEY);
    config.put(PersistenceSettings.BACKEND_KEY, "rocksdb");
    ConfigException backend = assertThrows(ConfigException.class, () -> load(NO_JNDI));
    assertEquals(PersistenceSettings.BACKEND_KEY, backend.key());

    config.remove(PersistenceSettings.BACKEND_KEY);
    config.put(PersistenceSettings.SYNC_INTERVAL_KEY, "0");
    ConfigException interval = assertThrows(ConfigException.class, () -> load(NO_JNDI));
    assertEquals(PersistenceSettings.SYNC_INTERVAL_KEY, interval.key());
  }

  @Test
  void anUnwritableDirectoryNamesTheKeyWhenOpened() throws Exception {
    Path file = Files.writeString(temp.resolve("not-a-directory"), "x");
    config.put(PersistenceSettings.DIR_KEY, file.resolve("data").toString());

    BrokerPersistence persistence = load(NO_JNDI);
    ConfigException e = assertThrows(ConfigException.class, persistence::open);

    assertEquals(PersistenceSettings.DIR_KEY, e.key());
  }

  @Test
  void jdbcLooksUpTheDataSourceByItsJndiName() {
    DataSource dataSource = new UnusedDataSource();
    Map<String, DataSource> bound = Map.of("jdbc/broker", dataSource);
    config.put(PersistenceSettings.BACKEND_KEY, "jdbc");
    config.put(BrokerPersistence.DATASOURCE_KEY, "jdbc/broker");

    BrokerPersistence persistence = load(name -> {
      DataSource found = bound.get(name);
      if (found == null) {
        throw new NameNotFoundException(name);
      }
      return found;
    });

    assertSame(dataSource, persistence.settings().dataSource());
    assertEquals(new BrokerPersistence.Summary("queued", "jdbc", "jdbc/broker"),
        persistence.summary());
  }

  @Test
  void jdbcWithoutABoundDataSourceNamesTheKey() {
    config.put(PersistenceSettings.BACKEND_KEY, "jdbc");

    ConfigException e = assertThrows(ConfigException.class, () -> load(NO_JNDI));

    assertEquals(BrokerPersistence.DATASOURCE_KEY, e.key());
    assertTrue(e.getMessage().contains("jdbc/ferrymq"), e.getMessage());
  }

  @Test
  void jdbcIsNotLookedUpInModeNone() {
    config.put(PersistenceSettings.MODE_KEY, "none");
    config.put(PersistenceSettings.BACKEND_KEY, "jdbc");

    assertNull(load(NO_JNDI).settings().dataSource());
  }

  @Test
  void theCommitTaskRunsOnTheGivenExecutor() {
    AtomicInteger tasks = new AtomicInteger();
    ExecutorService threads = Executors.newCachedThreadPool();
    try {
      config.put(PersistenceSettings.DIR_KEY, temp.resolve("data").toString());
      BrokerPersistence persistence = BrokerPersistence.load(
          key -> Optional.ofNullable(config.get(key)), Optional.empty(), task -> {
            tasks.incrementAndGet();
            threads.execute(task);
          }, NO_JNDI);

      Persistence store = persistence.open();
      assertSame(store, persistence.open());
      persistence.close();
      persistence.close();

      assertEquals(1, tasks.get());
      assertTrue(Files.exists(temp.resolve("data").resolve("ferrymq.mv.db")));
    } finally {
      threads.shutdownNow();
    }
  }

  /** Stands in for a container's data source; never asked for a connection here. */
  private static final class UnusedDataSource implements DataSource {
    @Override
    public Connection getConnection() {
      throw new UnsupportedOperationException("not used");
    }

    @Override
    public Connection getConnection(String user, String password) {
      throw new UnsupportedOperationException("not used");
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
      // not used
    }

    @Override
    public void setLoginTimeout(int seconds) {
      // not used
    }

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() {
      return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> type) {
      throw new UnsupportedOperationException("not used");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
      return false;
    }
  }
}
