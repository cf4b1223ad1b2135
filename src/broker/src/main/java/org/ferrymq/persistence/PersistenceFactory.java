package org.ferrymq.persistence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import org.ferrymq.config.ConfigException;
import org.ferrymq.persistence.common.GroupCommitter;
import org.ferrymq.persistence.jdbc.JdbcPersistence;
import org.ferrymq.persistence.memory.TransientPersistence;
import org.ferrymq.persistence.mvstore.MvStorePersistence;

/** Opens the persistence backend that {@link PersistenceSettings} describe. */
public final class PersistenceFactory {
  private PersistenceFactory() {
  }

  /**
   * Opens the store: nothing for mode {@code none}, else the embedded store in the directory
   * (created if missing) or the JDBC store (tables created if missing).
   *
   * @param settings the settings
   * @return the open backend, for {@code MqttBroker.builder().persistence(...)}
   * @throws ConfigException if the settings cannot work, naming the key (e.g. a directory that
   *     cannot be created or written, or jdbc without a data source)
   * @throws PersistenceException if the store is damaged, newer, foreign or in use
   */
  public static Persistence create(PersistenceSettings settings) {
    if (settings.mode() == PersistenceMode.NONE) {
      return new TransientPersistence();
    }
    Executor executor = settings.committerExecutor() != null ? settings.committerExecutor()
        : GroupCommitter.daemonThreads("ferrymq-store-commit");
    return switch (settings.backend()) {
      case MVSTORE -> MvStorePersistence.open(prepareDirectory(settings.directory()),
          settings.mode(), settings.syncIntervalMillis(), executor, settings.recovery(), "");
      case JDBC -> {
        if (settings.dataSource() == null) {
          throw new ConfigException(PersistenceSettings.BACKEND_KEY, "jdbc needs a DataSource "
              + "(on Liberty a <dataSource> in server.xml)");
        }
        yield JdbcPersistence.open(settings.dataSource(), settings.mode(),
            settings.syncIntervalMillis(), executor, settings.recovery());
      }
    };
  }

  private static Path prepareDirectory(Path dir) {
    Path abs = dir.toAbsolutePath();
    try {
      Files.createDirectories(abs);
    } catch (IOException e) {
      throw new ConfigException(PersistenceSettings.DIR_KEY, "cannot create directory " + abs
          + ": " + e);
    }
    try {
      Files.delete(Files.createTempFile(abs, ".write-check", ".tmp"));
    } catch (IOException e) {
      throw new ConfigException(PersistenceSettings.DIR_KEY, "directory " + abs
          + " is not writable: " + e);
    }
    return abs;
  }
}
