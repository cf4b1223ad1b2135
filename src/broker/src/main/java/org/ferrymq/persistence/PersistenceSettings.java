package org.ferrymq.persistence;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;
import javax.sql.DataSource;
import org.ferrymq.config.ConfigException;

/**
 * How the broker keeps its state: the persistence mode, the backend and where it stores.
 * Immutable; {@link #from(Function)} reads the keys below from any configuration source (on
 * Liberty, MicroProfile Config, so {@code MQTT_PERSISTENCE=persistent} in the environment
 * selects a mode), and {@link PersistenceFactory#create(PersistenceSettings)} opens the store.
 *
 * @param mode what survives a restart ({@value #MODE_KEY})
 * @param backend where durable modes store ({@value #BACKEND_KEY})
 * @param directory the data directory of the embedded store ({@value #DIR_KEY})
 * @param dataSource the database of the JDBC backend, {@code null} otherwise
 * @param syncIntervalMillis how often changes that nobody waits for are committed, which
 *     bounds what mode {@code queued} loses in a crash ({@value #SYNC_INTERVAL_KEY})
 * @param committerExecutor runs the store's one long-lived commit task; {@code null} for a
 *     daemon thread of its own (on Liberty pass a WorkManager-backed executor)
 * @param recovery how often a failed store is reopened ({@value RecoveryBackoff#INITIAL_KEY},
 *     {@value RecoveryBackoff#MAX_KEY})
 */
public record PersistenceSettings(PersistenceMode mode, Backend backend, Path directory,
    DataSource dataSource, long syncIntervalMillis, Executor committerExecutor,
    RecoveryBackoff recovery) {

  /** {@code none}, {@code queued} or {@code persistent}. */
  public static final String MODE_KEY = "mqtt.persistence";
  /** Directory of the embedded store; created if missing. */
  public static final String DIR_KEY = "mqtt.persistence.dir";
  /** {@code mvstore} (embedded, the default) or {@code jdbc}. */
  public static final String BACKEND_KEY = "mqtt.persistence.backend";
  /** Milliseconds between commits of changes that no acknowledgement waits for. */
  public static final String SYNC_INTERVAL_KEY = "mqtt.persistence.sync-interval-ms";

  /**
   * {@code queued}: persistent sessions, subscriptions and retained messages survive a
   * restart, as MQTT users expect, at little cost in throughput because nothing waits for a
   * disk sync. {@code persistent} costs a sync per batch of acknowledgements and is opted into.
   */
  public static final PersistenceMode DEFAULT_MODE = PersistenceMode.QUEUED;
  /** Relative to the working directory; on Liberty {@code ${server.output.dir}/ferrymq-data}. */
  public static final String DEFAULT_DIR = "ferrymq-data";
  public static final Backend DEFAULT_BACKEND = Backend.MVSTORE;
  public static final long DEFAULT_SYNC_INTERVAL_MILLIS = 1_000;
  static final long MAX_SYNC_INTERVAL_MILLIS = 60_000;

  /** Where a durable mode stores. */
  public enum Backend {
    /** The embedded H2 MVStore file in {@link #directory()}. */
    MVSTORE,
    /** Tables in the database of {@link #dataSource()}. */
    JDBC;

    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for anything but mvstore or jdbc (any case) */
    public static Backend of(String value) {
      for (Backend b : values()) {
        if (b.value().equalsIgnoreCase(value.trim())) {
          return b;
        }
      }
      throw new IllegalArgumentException("expected mvstore or jdbc but was '" + value + "'");
    }
  }

  /** Checks the combination; the message names the key. */
  public PersistenceSettings {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(recovery, "recovery");
    if (syncIntervalMillis < 1 || syncIntervalMillis > MAX_SYNC_INTERVAL_MILLIS) {
      throw new ConfigException(SYNC_INTERVAL_KEY, "must be between 1 and "
          + MAX_SYNC_INTERVAL_MILLIS + " but was " + syncIntervalMillis);
    }
    if (mode != PersistenceMode.NONE && backend == Backend.MVSTORE && directory == null) {
      throw new ConfigException(DIR_KEY, "the embedded store needs a directory");
    }
  }

  /** @return the defaults: mode queued, embedded store in {@value #DEFAULT_DIR} */
  public static PersistenceSettings defaults() {
    return new PersistenceSettings(DEFAULT_MODE, DEFAULT_BACKEND, Path.of(DEFAULT_DIR), null,
        DEFAULT_SYNC_INTERVAL_MILLIS, null, RecoveryBackoff.defaults());
  }

  /**
   * Reads the settings; absent keys take their defaults.
   *
   * @param lookup the configuration source, e.g. {@code key ->
   *     config.getOptionalValue(key, String.class)}
   * @return the settings, without data source or executor
   * @throws ConfigException naming the key of an invalid value
   */
  public static PersistenceSettings from(Function<String, Optional<String>> lookup) {
    PersistenceMode mode = lookup.apply(MODE_KEY).map(v -> parse(MODE_KEY,
        () -> PersistenceMode.of(v))).orElse(DEFAULT_MODE);
    Backend backend = lookup.apply(BACKEND_KEY).map(v -> parse(BACKEND_KEY,
        () -> Backend.of(v))).orElse(DEFAULT_BACKEND);
    Path dir = lookup.apply(DIR_KEY).map(v -> parse(DIR_KEY, () -> {
      if (v.isBlank()) {
        throw new IllegalArgumentException("must not be empty");
      }
      return Path.of(v.trim());
    })).orElse(Path.of(DEFAULT_DIR));
    long interval = lookup.apply(SYNC_INTERVAL_KEY).map(v -> parse(SYNC_INTERVAL_KEY,
        () -> Long.parseLong(v.trim()))).orElse(DEFAULT_SYNC_INTERVAL_MILLIS);
    long initial = lookup.apply(RecoveryBackoff.INITIAL_KEY).map(v -> parse(
        RecoveryBackoff.INITIAL_KEY, () -> Long.parseLong(v.trim())))
        .orElse(RecoveryBackoff.DEFAULT_INITIAL_MILLIS);
    long max = lookup.apply(RecoveryBackoff.MAX_KEY).map(v -> parse(RecoveryBackoff.MAX_KEY,
        () -> Long.parseLong(v.trim()))).orElse(Math.max(initial,
        RecoveryBackoff.DEFAULT_MAX_MILLIS));
    return new PersistenceSettings(mode, backend, dir, null, interval, null,
        new RecoveryBackoff(initial, max));
  }

  private static <T> T parse(String key, java.util.function.Supplier<T> parser) {
    try {
      return parser.get();
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "not a number: " + e.getMessage());
    } catch (InvalidPathException e) {
      throw new ConfigException(key, "not a path: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage());
    }
  }

  public PersistenceSettings withMode(PersistenceMode value) {
    return new PersistenceSettings(value, backend, directory, dataSource, syncIntervalMillis,
        committerExecutor, recovery);
  }

  public PersistenceSettings withBackend(Backend value) {
    return new PersistenceSettings(mode, value, directory, dataSource, syncIntervalMillis,
        committerExecutor, recovery);
  }

  public PersistenceSettings withDirectory(Path value) {
    return new PersistenceSettings(mode, backend, value, dataSource, syncIntervalMillis,
        committerExecutor, recovery);
  }

  /** @return these settings with the database of the JDBC backend */
  public PersistenceSettings withDataSource(DataSource value) {
    return new PersistenceSettings(mode, backend, directory, value, syncIntervalMillis,
        committerExecutor, recovery);
  }

  /** @return these settings with the executor that runs the commit task */
  public PersistenceSettings withCommitterExecutor(Executor value) {
    return new PersistenceSettings(mode, backend, directory, dataSource, syncIntervalMillis,
        value, recovery);
  }

  /** @return these settings with another schedule for reopening a failed store */
  public PersistenceSettings withRecovery(RecoveryBackoff value) {
    return new PersistenceSettings(mode, backend, directory, dataSource, syncIntervalMillis,
        committerExecutor, value);
  }
}
