package org.ferrymq.persistence.mvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.persistence.DeliveryState;
import org.ferrymq.persistence.PersistenceException;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.ReopenScenario;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredReceipt;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.persistence.common.Version1Records;
import org.ferrymq.persistence.common.Version2Records;
import org.ferrymq.topic.SubscriptionEntry;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MvStorePersistenceTest {

  @TempDir
  Path dir;

  private final List<MvStorePersistence> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(MvStorePersistence::close);
  }

  private MvStorePersistence open(PersistenceMode mode) {
    MvStorePersistence p = MvStorePersistence.open(dir, mode);
    opened.add(p);
    return p;
  }

  static StoredDelivery delivery(long seq, String payload, DeliveryState state) {
    Message m = new Message("t/" + seq, payload.getBytes(StandardCharsets.UTF_8),
        QoS.EXACTLY_ONCE, false, Properties.builder().userProperty("n", payload).build(), 0,
        "pub");
    return new StoredDelivery(seq, m, QoS.AT_LEAST_ONCE, false, List.of(), null,
        state == DeliveryState.QUEUED ? 0 : (int) seq, state);
  }

  static StoredSession session(String clientId) {
    return new StoredSession(clientId, 5, 3_600, 1_000, List.of(new SubscriptionEntry(clientId,
        "t/#", null, QoS.EXACTLY_ONCE, false, false, RetainHandling.SEND_ON_SUBSCRIBE, 0)),
        Set.of(42));
  }

  @Test
  void reopenAfterCloseKeepsEverything() {
    MvStorePersistence sut = open(PersistenceMode.PERSISTENT);
    ReopenScenario.write(sut);
    sut.close();

    ReopenScenario.assertKept(open(PersistenceMode.PERSISTENT));
  }

  @Test
  void queueOrderFollowsSequenceNotInsertion() {
    MvStorePersistence sut = open(PersistenceMode.QUEUED);
    for (long seq : new long[] {17, 3, 0x1_0000_0000L, 255, 256}) {
      sut.queues().put("c", delivery(seq, "s" + seq, DeliveryState.QUEUED));
    }
    List<Long> order = sut.queues().load("c").stream().map(StoredDelivery::sequence).toList();
    assertEquals(List.of(3L, 17L, 255L, 256L, 0x1_0000_0000L), order);
  }

  @Test
  void newerFormatVersionIsRefusedNamingTheFile() {
    open(PersistenceMode.QUEUED).close();
    Path file = dir.resolve(MvStorePersistence.FILE_NAME);
    MVStore raw = MVStore.open(file.toString());
    MVMap<String, String> meta = raw.openMap(MvStorePersistence.META_MAP);
    meta.put(MvStorePersistence.FORMAT_KEY, "99");
    raw.close();

    PersistenceException e = assertThrows(PersistenceException.class,
        () -> open(PersistenceMode.QUEUED));

    assertTrue(e.getMessage().contains(file.toAbsolutePath().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("format version 99"), e.getMessage());
  }

  @Test
  void format1StoreIsUpgradedAndItsVersion1RecordsRead() {
    open(PersistenceMode.QUEUED).close();
    Path file = dir.resolve(MvStorePersistence.FILE_NAME);
    MVStore raw = MVStore.open(file.toString());
    raw.<String, String>openMap(MvStorePersistence.META_MAP)
        .put(MvStorePersistence.FORMAT_KEY, "1");
    raw.<String, byte[]>openMap("sessions").put("old", Version1Records.session("old", 4, 60, 3));
    raw.close();

    MvStorePersistence sut = open(PersistenceMode.QUEUED);

    assertEquals(List.of(new StoredReceipt(3, StoredReceipt.UNKNOWN_HASH, 0, true)),
        sut.sessions().loadSessions().get(0).receipts());
    sut.close();
    MVStore check = MVStore.open(file.toString());
    assertEquals(Integer.toString(MvStorePersistence.FORMAT_VERSION),
        check.<String, String>openMap(MvStorePersistence.META_MAP)
            .get(MvStorePersistence.FORMAT_KEY), "upgraded to the current format in place");
    check.close();
  }

  @Test
  @DisplayName("A format 2 store (sessions without owners) opens, is upgraded to format 3, and "
      + "its sessions are read with no owner")
  void format2StoreIsUpgradedAndItsSessionsHaveNoOwner() {
    open(PersistenceMode.QUEUED).close();
    Path file = dir.resolve(MvStorePersistence.FILE_NAME);
    MVStore raw = MVStore.open(file.toString());
    raw.<String, String>openMap(MvStorePersistence.META_MAP)
        .put(MvStorePersistence.FORMAT_KEY, "2");
    StoredSession before = new StoredSession("old", 5, 60, 1, List.of(), List.of(), 1, null, 0);
    raw.<String, byte[]>openMap("sessions").put("old", Version2Records.session(before));
    raw.close();

    MvStorePersistence sut = open(PersistenceMode.QUEUED);

    StoredSession back = sut.sessions().loadSessions().get(0);
    assertEquals(before, back);
    assertNull(back.owner());
    sut.close();
    MVStore check = MVStore.open(file.toString());
    assertEquals("3", check.<String, String>openMap(MvStorePersistence.META_MAP)
        .get(MvStorePersistence.FORMAT_KEY));
    check.close();
  }

  @Test
  void foreignStoreIsRefused() {
    Path file = dir.resolve(MvStorePersistence.FILE_NAME);
    MVStore raw = MVStore.open(file.toString());
    raw.openMap("something-else").put("k", "v");
    raw.close();

    PersistenceException e = assertThrows(PersistenceException.class,
        () -> open(PersistenceMode.QUEUED));

    assertTrue(e.getMessage().contains("not a FerryMQ store"), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  /** Many commits, so that the file holds many chunks. */
  private Path fillAndClose() throws Exception {
    MvStorePersistence sut = open(PersistenceMode.PERSISTENT);
    for (int round = 0; round < 20; round++) {
      for (int i = 0; i < 100; i++) {
        sut.queues().put("c" + i, delivery(round, "PAYLOAD-" + round + "-" + i + "-"
            + "x".repeat(200), DeliveryState.QUEUED));
      }
      CountDownLatch synced = new CountDownLatch(1);
      sut.afterDurable(synced::countDown);
      assertTrue(synced.await(10, TimeUnit.SECONDS));
    }
    sut.close();
    return dir.resolve(MvStorePersistence.FILE_NAME).toAbsolutePath();
  }

  @Test
  void truncatedFileIsRefusedNamingTheFile() throws Exception {
    Path file = fillAndClose();
    long size = Files.size(file);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(size / 2);
    }

    PersistenceException e = assertThrows(PersistenceException.class,
        () -> open(PersistenceMode.PERSISTENT));

    System.out.println("truncated store: " + e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertEquals(size / 2, Files.size(file), "the damaged file is left as it was");
  }

  @Test
  void overwrittenRecordBytesAreRefusedNamingTheFile() throws Exception {
    Path file = fillAndClose();
    byte[] content = Files.readAllBytes(file);
    int at = indexOf(content, "PAYLOAD-19-50-".getBytes(StandardCharsets.US_ASCII));
    assertTrue(at > 0, "the payload is stored uncompressed");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(at + 20);
      raf.write("garbage".getBytes(StandardCharsets.US_ASCII));
    }

    PersistenceException e = assertThrows(PersistenceException.class,
        () -> open(PersistenceMode.PERSISTENT));

    System.out.println("overwritten record: " + e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("damaged"), e.getMessage());
  }

  @Test
  void overwrittenStructureIsRefusedNamingTheFile() throws Exception {
    Path file = fillAndClose();
    long size = Files.size(file);
    byte[] garbage = new byte[(int) (size / 2)];
    new Random(6).nextBytes(garbage);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(size / 4);
      raf.write(garbage);
    }

    PersistenceException e = assertThrows(PersistenceException.class,
        () -> open(PersistenceMode.PERSISTENT));

    System.out.println("overwritten structure: " + e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void missingFileIsRefusedWhenDataWasSynced() throws Exception {
    Path file = fillAndClose();
    Files.delete(file);

    PersistenceException e = assertThrows(PersistenceException.class,
        () -> open(PersistenceMode.PERSISTENT));

    assertTrue(e.getMessage().contains(file.toString() + " is missing"), e.getMessage());
  }

  @Test
  void secondOpenOfTheSameDirectoryIsRefused() {
    open(PersistenceMode.QUEUED);

    PersistenceException e = assertThrows(PersistenceException.class,
        () -> open(PersistenceMode.QUEUED));

    assertTrue(e.getMessage().contains("in use by another process"), e.getMessage());
  }

  @Test
  void concurrentAcknowledgementsShareSyncs() throws Exception {
    MvStorePersistence sut = open(PersistenceMode.PERSISTENT);
    int threads = 8;
    int perThread = 250;
    int n = threads * perThread;
    CountDownLatch durable = new CountDownLatch(n);
    CyclicBarrier start = new CyclicBarrier(threads);
    long syncsBefore = sut.syncCount();
    List<Thread> lanes = new ArrayList<>();

    // Exercise: each "lane" queues a message for its own client, then waits for durability
    for (int t = 0; t < threads; t++) {
      String client = "client-" + t;
      Thread lane = new Thread(() -> {
        try {
          start.await();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        for (int i = 0; i < perThread; i++) {
          sut.queues().put(client, delivery(i, "m" + i, DeliveryState.QUEUED));
          sut.afterDurable(durable::countDown);
        }
      });
      lanes.add(lane);
      lane.start();
    }

    // Verify
    assertTrue(durable.await(30, TimeUnit.SECONDS), "every callback ran");
    long syncs = sut.syncCount() - syncsBefore;
    System.out.printf("mvstore group commit: %d acknowledgements, %d syncs%n", n, syncs);
    assertTrue(syncs < n / 4, n + " acknowledgements took " + syncs + " syncs");
    for (int t = 0; t < threads; t++) {
      assertEquals(perThread, sut.queues().load("client-" + t).size());
    }
  }

  @Test
  void persistentModeRunsCallbacksOnTheCommitThreadAndQueuedModeAtOnce() throws Exception {
    MvStorePersistence persistent = open(PersistenceMode.PERSISTENT);
    Thread caller = Thread.currentThread();
    CountDownLatch ran = new CountDownLatch(1);
    AtomicBoolean onCaller = new AtomicBoolean(true);
    persistent.queues().put("c", delivery(1, "x", DeliveryState.QUEUED));
    persistent.afterDurable(() -> {
      onCaller.set(Thread.currentThread() == caller);
      ran.countDown();
    });
    assertTrue(ran.await(5, TimeUnit.SECONDS));
    assertEquals(false, onCaller.get(), "persistent: waits for the commit thread");
    persistent.close();
    opened.clear();

    MvStorePersistence queued = open(PersistenceMode.QUEUED);
    AtomicBoolean atOnce = new AtomicBoolean();
    queued.afterDurable(() -> atOnce.set(Thread.currentThread() == caller));
    assertTrue(atOnce.get(), "queued: runs at once");
  }

  @Test
  void deletedRecordsGiveTheirSpaceBack() throws Exception {
    MvStorePersistence sut = open(PersistenceMode.QUEUED);
    Path file = sut.file();
    byte[] kb = new byte[1024];
    Message big = new Message("t", kb, QoS.AT_LEAST_ONCE, false, Properties.builder()
        .put(Property.CONTENT_TYPE, "bin").build(), 0, "p");
    long peak = 0;
    for (int round = 0; round < 4; round++) {
      for (int i = 0; i < 5_000; i++) {
        sut.queues().put("c", new StoredDelivery(round * 10_000L + i, big, QoS.AT_LEAST_ONCE,
            false, List.of(), null, 0, DeliveryState.QUEUED));
        if (i % 500 == 0) {
          sut.syncNow();
        }
      }
      sut.syncNow();
      peak = Math.max(peak, Files.size(file));
      for (int i = 0; i < 5_000; i++) {
        sut.queues().remove("c", round * 10_000L + i);
        if (i % 500 == 0) {
          sut.syncNow();
        }
      }
      sut.syncNow();
    }
    long beforeClose = Files.size(file);
    sut.close();
    long afterClose = Files.size(file);
    // Compaction on close has a time budget (2 s): on a loaded machine one close may not finish
    // it, and each clean close continues where the last one stopped
    for (int closes = 1; closes < 5 && afterClose >= peak; closes++) {
      open(PersistenceMode.QUEUED).close();
      afterClose = Files.size(file);
    }
    System.out.printf("space: one round ~5 MB of records; peak file %d, after 4 rounds %d, "
        + "after close %d bytes%n", peak, beforeClose, afterClose);

    assertTrue(peak < 4 * 5_000L * 1024, "space of deleted rounds was reused: peak " + peak);
    assertTrue(afterClose < peak, "compacted by clean closes: " + afterClose);
    assertEquals(List.of(), open(PersistenceMode.QUEUED).queues().load("c"));
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
