package org.ferrymq.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.ferrymq.config.ConfigException;
import org.ferrymq.persistence.memory.TransientPersistence;
import org.ferrymq.persistence.mvstore.MvStorePersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistenceFactoryTest {
  @TempDir
  Path dir;

  private static PersistenceSettings settings(Map<String, String> values) {
    return PersistenceSettings.from(k -> Optional.ofNullable(values.get(k)));
  }

  @Test
  void defaultsAreQueuedOnTheEmbeddedStore() {
    PersistenceSettings sut = settings(Map.of());
    assertEquals(PersistenceMode.QUEUED, sut.mode());
    assertEquals(PersistenceSettings.Backend.MVSTORE, sut.backend());
    assertEquals(Path.of("ferrymq-data"), sut.directory());
    assertEquals(1_000, sut.syncIntervalMillis());
    assertEquals(new RecoveryBackoff(200, 10_000), sut.recovery());
  }

  @Test
  void readsEveryKey() {
    PersistenceSettings sut = settings(Map.of("mqtt.persistence", "Persistent",
        "mqtt.persistence.dir", dir.toString(), "mqtt.persistence.backend", "jdbc",
        "mqtt.persistence.sync-interval-ms", "250", "mqtt.persistence.recovery-initial-ms", "50",
        "mqtt.persistence.recovery-max-ms", "2000"));
    assertEquals(PersistenceMode.PERSISTENT, sut.mode());
    assertEquals(PersistenceSettings.Backend.JDBC, sut.backend());
    assertEquals(dir, sut.directory());
    assertEquals(250, sut.syncIntervalMillis());
    assertEquals(new RecoveryBackoff(50, 2_000), sut.recovery());
  }

  @Test
  void recoveryBoundsNameTheKey() {
    assertEquals("mqtt.persistence.recovery-initial-ms", assertThrows(ConfigException.class,
        () -> settings(Map.of("mqtt.persistence.recovery-initial-ms", "0"))).key());
    ConfigException max = assertThrows(ConfigException.class,
        () -> settings(Map.of("mqtt.persistence.recovery-initial-ms", "500",
            "mqtt.persistence.recovery-max-ms", "100")));
    assertEquals("mqtt.persistence.recovery-max-ms", max.key());
    assertTrue(max.getMessage().contains("mqtt.persistence.recovery-initial-ms (500)"),
        max.getMessage());
    assertEquals("mqtt.persistence.recovery-max-ms", assertThrows(ConfigException.class,
        () -> settings(Map.of("mqtt.persistence.recovery-max-ms", "soon"))).key());
    // a larger initial delay alone raises the default maximum with it
    assertEquals(new RecoveryBackoff(20_000, 20_000), settings(Map.of(
        "mqtt.persistence.recovery-initial-ms", "20000")).recovery());
  }

  @Test
  void invalidValuesNameTheKey() {
    ConfigException mode = assertThrows(ConfigException.class,
        () -> settings(Map.of("mqtt.persistence", "sometimes")));
    assertEquals("mqtt.persistence", mode.key());
    assertTrue(mode.getMessage().contains("none, queued or persistent"), mode.getMessage());
    assertEquals("mqtt.persistence.backend", assertThrows(ConfigException.class,
        () -> settings(Map.of("mqtt.persistence.backend", "rocksdb"))).key());
    assertEquals("mqtt.persistence.sync-interval-ms", assertThrows(ConfigException.class,
        () -> settings(Map.of("mqtt.persistence.sync-interval-ms", "0"))).key());
    assertEquals("mqtt.persistence.dir", assertThrows(ConfigException.class,
        () -> settings(Map.of("mqtt.persistence.dir", " "))).key());
  }

  @Test
  void noneKeepsNothing() {
    assertInstanceOf(TransientPersistence.class, PersistenceFactory.create(
        settings(Map.of("mqtt.persistence", "none"))));
  }

  @Test
  void embeddedStoreIsCreatedInTheDirectory() {
    Path data = dir.resolve("nested/data");
    try (Persistence p = PersistenceFactory.create(PersistenceSettings.defaults()
        .withDirectory(data))) {
      assertInstanceOf(MvStorePersistence.class, p);
      assertTrue(p.isHealthy());
      assertTrue(p.describe().contains(data.toAbsolutePath().toString()), p.describe());
    }
    assertTrue(Files.exists(data.resolve(MvStorePersistence.FILE_NAME)));
  }

  @Test
  void unusableDirectoryNamesTheDirectoryAndTheKey() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
    Path data = file.resolve("data");

    ConfigException e = assertThrows(ConfigException.class, () -> PersistenceFactory.create(
        PersistenceSettings.defaults().withDirectory(data)));

    assertEquals("mqtt.persistence.dir", e.key());
    assertTrue(e.getMessage().contains(data.toAbsolutePath().toString()), e.getMessage());
  }

  @Test
  void jdbcWithoutDataSourceIsRefused() {
    ConfigException e = assertThrows(ConfigException.class, () -> PersistenceFactory.create(
        PersistenceSettings.defaults().withBackend(PersistenceSettings.Backend.JDBC)));
    assertEquals("mqtt.persistence.backend", e.key());
    assertTrue(e.getMessage().contains("DataSource"), e.getMessage());
  }
}
