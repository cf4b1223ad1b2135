package org.ferrymq.persistence.mvstore;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.ferrymq.persistence.DeliveryState;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.RecoveryBackoff;
import org.ferrymq.persistence.RecordingObserver;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.common.GroupCommitter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The embedded store on a disk that fills up and is freed again (injected: {@link
 * FaultInjectingFileSystem} makes every write fail with "No space left on device"). MVStore
 * closes itself on the failed write; the store must report the fault, keep every change made
 * meanwhile, reopen the file by itself once it can be written, and lose nothing.
 */
class MvStoreFaultRecoveryTest {
  private static final RecoveryBackoff FAST = new RecoveryBackoff(10, 100);

  @TempDir
  Path dir;

  private MvStorePersistence sut;

  @AfterEach
  void close() {
    FaultInjectingFileSystem.free(dir);
    if (sut != null) {
      sut.close();
    }
  }

  private MvStorePersistence open(PersistenceMode mode) {
    return MvStorePersistence.open(dir, mode, 20,
        GroupCommitter.daemonThreads("fault-test-commit"), FAST,
        FaultInjectingFileSystem.prefix());
  }

  private static String payloads(List<StoredDelivery> ds) {
    return ds.stream().map(d -> new String(d.message().payload(), StandardCharsets.UTF_8))
        .collect(Collectors.joining(" "));
  }

  @ParameterizedTest
  @EnumSource(value = PersistenceMode.class, names = {"QUEUED", "PERSISTENT"})
  void diskFullThenFreedLosesNothingAndHoldsAcknowledgements(PersistenceMode mode) {
    sut = open(mode);
    RecordingObserver events = new RecordingObserver();
    sut.observe(events);
    sut.sessions().save(MvStorePersistenceTest.session("c"));
    for (int i = 1; i <= 3; i++) {
      sut.queues().put("c", MvStorePersistenceTest.delivery(i, "before" + i,
          DeliveryState.QUEUED));
    }
    sut.syncNow();

    // Exercise: the disk fills; writes go on, one of them removes a committed delivery
    FaultInjectingFileSystem.fill(dir);
    sut.queues().put("c", MvStorePersistenceTest.delivery(4, "during4", DeliveryState.QUEUED));
    AtomicInteger acknowledged = new AtomicInteger();
    sut.afterDurable(acknowledged::incrementAndGet);
    await().atMost(Duration.ofSeconds(10)).until(() -> !sut.isHealthy());
    sut.queues().remove("c", 2);
    sut.queues().put("c", MvStorePersistenceTest.delivery(5, "during5", DeliveryState.QUEUED));
    sut.afterDurable(acknowledged::incrementAndGet);

    // Verify: failed, named, nothing acknowledged while failed
    assertTrue(sut.fault().contains("No space left on device"), sut.fault());
    assertTrue(sut.fault().contains(sut.file().toString()), sut.fault());
    int beforeRecovery = acknowledged.get();
    assertTrue(mode == PersistenceMode.QUEUED ? beforeRecovery <= 1 : beforeRecovery == 0,
        "acknowledgements wait while the store is failed: " + beforeRecovery);

    // Exercise: space is freed
    FaultInjectingFileSystem.free(dir);

    // Verify: back by itself, every held acknowledgement released, one episode
    await().atMost(Duration.ofSeconds(10)).until(sut::isHealthy);
    await().atMost(Duration.ofSeconds(10)).until(() -> acknowledged.get() == 2);
    assertNull(sut.fault());
    assertEquals(1, sut.failureCount());
    assertEquals(2, events.seen.size(), events.seen.toString());
    assertTrue(events.seen.get(0).startsWith("failed: Store " + sut.file()), events.seen.get(0));
    assertEquals("recovered", events.seen.get(1));
    sut.queues().put("c", MvStorePersistenceTest.delivery(6, "after6", DeliveryState.QUEUED));
    sut.close();
    sut = null;

    // Verify: a plain reopen sees what was committed before, during and after the fault
    MvStorePersistence reopened = MvStorePersistence.open(dir, mode);
    try {
      assertEquals("before1 before3 during4 during5 after6",
          payloads(reopened.queues().load("c")));
      assertEquals(1, reopened.sessions().loadSessions().size());
    } finally {
      reopened.close();
    }
  }

  @Test
  void storeThatStaysFullIsRetriedWithoutGivingUpAndSessionDeletesReplay() {
    sut = open(PersistenceMode.PERSISTENT);
    sut.sessions().save(MvStorePersistenceTest.session("gone"));
    sut.queues().put("gone", MvStorePersistenceTest.delivery(1, "x", DeliveryState.QUEUED));
    sut.sessions().save(MvStorePersistenceTest.session("kept"));
    sut.syncNow();
    FaultInjectingFileSystem.fill(dir);
    sut.queues().put("kept", MvStorePersistenceTest.delivery(1, "k1", DeliveryState.QUEUED));
    await().atMost(Duration.ofSeconds(10)).until(() -> !sut.isHealthy());

    // Exercise: a session ends while the store is failed; several reopen attempts fail
    sut.sessions().delete("gone");
    long syncsBefore = sut.syncCount();
    await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
        .until(() -> !sut.isHealthy());
    assertEquals(syncsBefore, sut.syncCount(), "no commit succeeds on a full disk");
    FaultInjectingFileSystem.free(dir);
    await().atMost(Duration.ofSeconds(10)).until(sut::isHealthy);
    sut.close();
    sut = null;

    // Verify
    MvStorePersistence reopened = MvStorePersistence.open(dir, PersistenceMode.PERSISTENT);
    try {
      assertEquals(List.of("kept"), reopened.sessions().loadSessions().stream()
          .map(s -> s.clientId()).toList());
      assertTrue(reopened.queues().load("gone").isEmpty());
      assertEquals("k1", payloads(reopened.queues().load("kept")));
    } finally {
      reopened.close();
    }
  }

  @Test
  void closingWhileFailedKeepsWhatWasCommitted() {
    sut = open(PersistenceMode.PERSISTENT);
    sut.queues().put("c", MvStorePersistenceTest.delivery(1, "committed", DeliveryState.QUEUED));
    sut.syncNow();
    FaultInjectingFileSystem.fill(dir);
    sut.queues().put("c", MvStorePersistenceTest.delivery(2, "lost", DeliveryState.QUEUED));
    await().atMost(Duration.ofSeconds(10)).until(() -> !sut.isHealthy());

    // Exercise
    sut.close();
    sut = null;
    FaultInjectingFileSystem.free(dir);

    // Verify: the file is intact at its last commit
    MvStorePersistence reopened = MvStorePersistence.open(dir, PersistenceMode.PERSISTENT);
    try {
      assertEquals("committed", payloads(reopened.queues().load("c")));
      assertFalse(reopened.fault() != null);
    } finally {
      reopened.close();
    }
  }
}
