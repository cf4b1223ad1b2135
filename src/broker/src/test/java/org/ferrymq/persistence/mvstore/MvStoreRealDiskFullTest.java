package org.ferrymq.persistence.mvstore;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.DeliveryState;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.RecoveryBackoff;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.common.GroupCommitter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: the store on an 8 MiB tmpfs that a filler file fills up, so MVStore's chunk
 * write fails with the kernel's ENOSPC; then the filler is deleted. Needs root to mount, so it
 * is skipped elsewhere ({@link MvStoreFaultRecoveryTest} injects the same error without root).
 */
class MvStoreRealDiskFullTest {
  private static final int PAYLOAD = 64 * 1024;

  @TempDir
  Path mountPoint;

  private boolean mounted;
  private MvStorePersistence sut;

  @BeforeEach
  void mountTinyFilesystem() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "mounting a tmpfs needs root");
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs",
        mountPoint.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    Assumptions.assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0,
        "cannot mount a tmpfs here: " + out);
    mounted = true;
  }

  @AfterEach
  void unmount() throws Exception {
    if (sut != null) {
      sut.close();
    }
    if (mounted) {
      new ProcessBuilder("umount", "-l", mountPoint.toString()).start().waitFor(30,
          TimeUnit.SECONDS);
    }
  }

  private static StoredDelivery big(long seq) {
    byte[] payload = new byte[PAYLOAD];
    Arrays.fill(payload, (byte) ('a' + seq % 26));
    Message m = new Message("t/" + seq, payload, QoS.AT_LEAST_ONCE, false, Properties.EMPTY, 0,
        "pub");
    return new StoredDelivery(seq, m, QoS.AT_LEAST_ONCE, false, List.of(), null, 0,
        DeliveryState.QUEUED);
  }

  /** Writes until the file system refuses; returns the filler file. */
  private Path fillUp() throws IOException {
    Path filler = mountPoint.resolve("filler");
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException expected) {
      // ENOSPC: the disk is full
    }
    return filler;
  }

  @Test
  void realEnospcIsAFaultAndDeletingAFileRecoversWithoutRestart() throws Exception {
    Path data = mountPoint.resolve("data");
    sut = MvStorePersistence.open(data, PersistenceMode.PERSISTENT, 20,
        GroupCommitter.daemonThreads("enospc-commit"), new RecoveryBackoff(20, 200), "");
    sut.sessions().save(MvStorePersistenceTest.session("c"));
    sut.queues().put("c", big(1));
    sut.syncNow();
    Path filler = fillUp();

    // Exercise: 30 x 64 KiB do not fit on the full disk
    AtomicInteger acknowledged = new AtomicInteger();
    for (long seq = 2; seq <= 31; seq++) {
      sut.queues().put("c", big(seq));
    }
    sut.afterDurable(acknowledged::incrementAndGet);
    await().atMost(Duration.ofSeconds(20)).until(() -> !sut.isHealthy());
    sut.queues().put("c", big(32));
    sut.afterDurable(acknowledged::incrementAndGet);

    // Verify: the kernel's error is the fault; nothing acknowledged
    assertTrue(sut.fault().contains("No space left on device"), sut.fault());
    assertEquals(0, acknowledged.get());
    Files.delete(filler);
    await().atMost(Duration.ofSeconds(20)).until(sut::isHealthy);
    await().atMost(Duration.ofSeconds(20)).until(() -> acknowledged.get() == 2);
    sut.close();
    sut = null;
    MvStorePersistence reopened = MvStorePersistence.open(data, PersistenceMode.PERSISTENT);
    try {
      List<StoredDelivery> all = reopened.queues().load("c");
      assertEquals(32, all.size());
      for (int i = 0; i < all.size(); i++) {
        assertEquals(i + 1, all.get(i).sequence());
        assertEquals(PAYLOAD, all.get(i).message().payload().length);
      }
    } finally {
      reopened.close();
    }
  }
}
