package org.ferrymq.ra;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.ferrymq.config.ConfigException;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.PersistenceFactory;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.PersistenceSettings;

/**
 * The broker's store on Liberty: reads {@link PersistenceSettings} through MicroProfile Config
 * from the resource adapter's class loader ({@code MQTT_PERSISTENCE=persistent} in the
 * environment selects a mode), runs the commit task on the adapter's WorkManager-backed executor,
 * and for the JDBC backend looks up the {@code <dataSource>} by its JNDI name
 * ({@value #DATASOURCE_KEY}).
 *
 * <p>Without {@code mqtt.persistence.dir} the embedded store lives in {@code
 * ${server.output.dir}/ferrymq-data}; server.xml declares that default as a variable, and the
 * Java system property {@code server.output.dir} is the fallback.
 *
 * <p>Not thread-safe: the adapter opens it once in {@code start()} and closes it in its shutdown.
 */
public final class BrokerPersistence {

  /** JNDI name of the {@code <dataSource>} used by the jdbc backend. */
  public static final String DATASOURCE_KEY = "mqtt.persistence.datasource";
  public static final String DEFAULT_DATASOURCE = "jdbc/ferrymq";
  /** The data directory's name under the server's output directory. */
  static final String DATA_DIR_NAME = "ferrymq-data";
  /** The ban list's file in the data directory. */
  static final String BAN_FILE_NAME = "bans.txt";

  private static final Logger LOG = Logger.getLogger(BrokerPersistence.class.getName());

  private final PersistenceSettings settings;
  private final Summary summary;
  private Persistence persistence;

  /**
   * What the broker stores where, for the startup log line and the readiness data.
   *
   * @param mode {@code none}, {@code queued} or {@code persistent}
   * @param backend {@code memory} for mode none, else {@code mvstore} or {@code jdbc}
   * @param location the store's directory, the data source's JNDI name, or {@code memory}
   */
  public record Summary(String mode, String backend, String location) {
  }

  private BrokerPersistence(PersistenceSettings settings, Summary summary) {
    this.settings = settings;
    this.summary = summary;
  }

  /**
   * Reads the settings through MicroProfile Config and resolves the data source through JNDI.
   *
   * @param loader the resource adapter's class loader
   * @param executor runs the store's long-lived commit task (WorkManager work)
   * @throws ConfigException naming the key of an invalid value
   */
  static BrokerPersistence load(ClassLoader loader, Executor executor) {
    Config config = ConfigProvider.getConfig(loader);
    return load(key -> config.getOptionalValue(key, String.class),
        Optional.ofNullable(System.getProperty("server.output.dir")).map(Path::of),
        executor, BrokerPersistence::lookupDataSource);
  }

  /**
   * Reads the settings from any configuration source.
   *
   * @param lookup the configuration source
   * @param serverOutputDir where the default data directory goes, if known
   * @param executor runs the store's commit task
   * @param dataSources resolves a JNDI name; throws {@link NamingException} when unbound
   * @throws ConfigException naming the key of an invalid value
   */
  static BrokerPersistence load(Function<String, Optional<String>> lookup,
      Optional<Path> serverOutputDir, Executor executor, DataSourceLookup dataSources) {
    PersistenceSettings settings = PersistenceSettings.from(key -> lookup.apply(key)
        .filter(value -> !value.isBlank())).withCommitterExecutor(executor);
    // A variable default that Liberty could not expand, or no value at all: the server's own
    // output directory, so the store lives with the server rather than in its working directory.
    Optional<String> dir = lookup.apply(PersistenceSettings.DIR_KEY)
        .filter(value -> !value.isBlank());
    if (dir.isEmpty() || dir.get().contains("${")) {
      Path base = serverOutputDir.orElse(Path.of("."));
      settings = settings.withDirectory(base.resolve(DATA_DIR_NAME));
    }
    if (settings.mode() == PersistenceMode.NONE) {
      return new BrokerPersistence(settings, new Summary(settings.mode().value(), "memory",
          "memory"));
    }
    return switch (settings.backend()) {
      case MVSTORE -> new BrokerPersistence(settings, new Summary(settings.mode().value(),
          settings.backend().value(), settings.directory().toAbsolutePath().normalize()
              .toString()));
      case JDBC -> {
        String name = lookup.apply(DATASOURCE_KEY).map(String::trim)
            .filter(value -> !value.isEmpty()).orElse(DEFAULT_DATASOURCE);
        DataSource dataSource;
        try {
          dataSource = dataSources.lookup(name);
        } catch (NamingException | ClassCastException e) {
          throw new ConfigException(DATASOURCE_KEY, "no DataSource bound at '" + name
              + "' for mqtt.persistence.backend=jdbc (declare a <dataSource jndiName=\"" + name
              + "\"> in server.xml): " + e);
        }
        if (dataSource == null) {
          throw new ConfigException(DATASOURCE_KEY, "nothing bound at '" + name + "'");
        }
        yield new BrokerPersistence(settings.withDataSource(dataSource),
            new Summary(settings.mode().value(), settings.backend().value(), name));
      }
    };
  }

  /** Resolves a JNDI name to a data source. */
  @FunctionalInterface
  interface DataSourceLookup {
    DataSource lookup(String name) throws NamingException;
  }

  private static DataSource lookupDataSource(String name) throws NamingException {
    return (DataSource) new InitialContext().lookup(name);
  }

  /** @return the settings as read, with executor and data source */
  PersistenceSettings settings() {
    return settings;
  }

  /**
   * @return the file that keeps the ban list: {@value #BAN_FILE_NAME} in the data directory,
   *     whichever store the broker uses, so the bans follow the broker's data
   */
  Path banFile() {
    return settings.directory().resolve(BAN_FILE_NAME);
  }

  /** @return mode, backend and location */
  public Summary summary() {
    return summary;
  }

  /**
   * Opens the store (once) and logs what it keeps where.
   *
   * @return the backend for {@code MqttBroker.builder().persistence(...)}
   * @throws ConfigException naming the key if the directory or data source cannot be used
   * @throws org.ferrymq.persistence.PersistenceException if the store is damaged, newer,
   *     foreign or in use; the message names the file
   */
  Persistence open() {
    if (persistence == null) {
      persistence = PersistenceFactory.create(settings);
      String detail = settings.mode() == PersistenceMode.NONE ? persistence.describe()
          : persistence.describe() + ", sync interval " + settings.syncIntervalMillis() + " ms";
      LOG.info(() -> "FerryMQ persistence: mode " + summary.mode() + ", backend "
          + summary.backend() + ", location " + summary.location() + " (" + detail + ")");
    }
    return persistence;
  }

  /**
   * Closes the store if the broker did not (a failed start between open and broker start).
   * Idempotent, like {@link Persistence#close()}.
   */
  void close() {
    if (persistence != null) {
      persistence.close();
      persistence = null;
    }
  }
}
