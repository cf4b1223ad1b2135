package org.ferrymq.persistence.mvstore;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.RecoveryBackoff;
import org.ferrymq.persistence.StoreFaultScenario;
import org.ferrymq.persistence.common.GroupCommitter;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The embedded store's disk fills up (injected, {@link FaultInjectingFileSystem}) while Paho
 * clients publish over TCP, and is freed again: see {@link StoreFaultScenario}.
 */
class MvStoreFaultOverSocketsTest {

  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(value = PersistenceMode.class, names = {"QUEUED", "PERSISTENT"})
  void diskFullHoldsPublishesAndRecoversWithoutRestart(PersistenceMode mode) throws Exception {
    MvStorePersistence store = MvStorePersistence.open(dir, mode, 50,
        GroupCommitter.daemonThreads("fault-commit"), new RecoveryBackoff(20, 200),
        FaultInjectingFileSystem.prefix());

    StoreFaultScenario.Report report = StoreFaultScenario.run(store,
        () -> FaultInjectingFileSystem.fill(dir), () -> FaultInjectingFileSystem.free(dir));

    String line = "MVStore disk full (injected), mode " + mode.value() + ": " + report;
    System.out.println(line);
    Path out = Path.of(System.getProperty("buildDirectory", "target"),
        "store-fault-report.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, line + System.lineSeparator(), java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
  }
}
