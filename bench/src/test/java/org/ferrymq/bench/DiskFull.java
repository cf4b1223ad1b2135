package org.ferrymq.bench;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.RecoveryBackoff;
import org.ferrymq.persistence.common.GroupCommitter;
import org.ferrymq.persistence.mvstore.FaultInjectingFileSystem;
import org.ferrymq.persistence.mvstore.MvStorePersistence;

/**
 * The soak's default fault: the MVStore file's disk is full (every write fails with "No space
 * left on device", injected under H2's file system) for the faulty phase, then freed. The broker
 * must hold what it cannot store, keep what it acknowledged, and reopen the store by itself.
 */
final class DiskFull implements StoreFault {
  private Path directory;
  private final AtomicInteger episodes = new AtomicInteger();

  @Override
  public Persistence open(Path storeDirectory) {
    directory = storeDirectory;
    return MvStorePersistence.open(storeDirectory, PersistenceMode.PERSISTENT, 1_000,
        GroupCommitter.daemonThreads("soak-store-commit"), RecoveryBackoff.defaults(),
        FaultInjectingFileSystem.prefix());
  }

  @Override
  public Persistence wrap(Persistence store) {
    return store;
  }

  @Override
  public void begin() {
    episodes.incrementAndGet();
    FaultInjectingFileSystem.fill(directory);
  }

  @Override
  public void end() {
    FaultInjectingFileSystem.free(directory);
  }

  @Override
  public String describe() {
    return "disk full on the MVStore file (injected ENOSPC), " + episodes.get() + " episode(s); "
        + "the broker reopens the store by itself once space is back";
  }
}
