package org.ferrymq.persistence.common;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.ferrymq.persistence.RecoveryBackoff;
import org.ferrymq.persistence.RecordingObserver;
import org.junit.jupiter.api.Test;

class GroupCommitterTest {

  /** A store whose sync takes 2 ms and which always has changes. */
  static final class SlowStore implements GroupCommitter.Target {
    final AtomicInteger syncs = new AtomicInteger();
    final AtomicBoolean failNext = new AtomicBoolean();
    volatile boolean dirty = true;

    @Override
    public boolean hasChanges() {
      return dirty;
    }

    @Override
    public void commitAndSync() throws Exception {
      if (failNext.getAndSet(false)) {
        throw new java.io.IOException("disk full");
      }
      Thread.sleep(2);
      syncs.incrementAndGet();
    }

    final AtomicInteger reopens = new AtomicInteger();
    /** Reopen attempts that fail before one succeeds. */
    final AtomicInteger failingReopens = new AtomicInteger();

    @Override
    public void reopen() throws Exception {
      reopens.incrementAndGet();
      if (failingReopens.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new java.io.IOException("still full");
      }
    }
  }

  @Test
  void concurrentCallbacksShareSyncs() throws Exception {
    SlowStore store = new SlowStore();
    GroupCommitter sut = new GroupCommitter("test", store, true, 1_000);
    sut.start(GroupCommitter.daemonThreads("test-commit"));
    int threads = 8;
    int perThread = 250;
    CountDownLatch done = new CountDownLatch(threads * perThread);
    List<Thread> writers = new ArrayList<>();

    // Exercise
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          sut.afterDurable(done::countDown);
        }
      });
      writers.add(w);
      w.start();
    }

    // Verify
    assertTrue(done.await(30, TimeUnit.SECONDS), "every callback ran");
    int n = threads * perThread;
    System.out.printf("group commit: %d callbacks, %d syncs%n", n, sut.syncCount());
    assertTrue(sut.syncCount() < n / 10, n + " callbacks took " + sut.syncCount() + " syncs");
    sut.close();
  }

  @Test
  void queuedModeRunsCallbacksAtOnce() {
    SlowStore store = new SlowStore();
    GroupCommitter sut = new GroupCommitter("test", store, false, 1_000);
    sut.start(GroupCommitter.daemonThreads("test-commit"));
    Thread caller = Thread.currentThread();
    AtomicBoolean ranHere = new AtomicBoolean();

    sut.afterDurable(() -> ranHere.set(Thread.currentThread() == caller));

    assertTrue(ranHere.get());
    sut.close();
  }

  @Test
  void periodicCommitWithoutWaiters() throws Exception {
    SlowStore store = new SlowStore();
    GroupCommitter sut = new GroupCommitter("test", store, false, 20);
    sut.start(GroupCommitter.daemonThreads("test-commit"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (store.syncs.get() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertTrue(store.syncs.get() >= 3, "committed every interval");
    sut.close();
  }

  @Test
  void noSyncWhenNothingChanged() {
    SlowStore store = new SlowStore();
    store.dirty = false;
    GroupCommitter sut = new GroupCommitter("test", store, true, 1_000);
    sut.start(GroupCommitter.daemonThreads("test-commit"));

    sut.flush();

    assertEquals(0, store.syncs.get());
    sut.close();
  }

  @Test
  void failedCommitKeepsCallbacksUntilACommitSucceeds() throws Exception {
    SlowStore store = new SlowStore();
    store.failNext.set(true);
    GroupCommitter sut = new GroupCommitter("test", store, true, 50);
    sut.start(GroupCommitter.daemonThreads("test-commit"));
    CountDownLatch ran = new CountDownLatch(1);

    sut.afterDurable(ran::countDown);

    assertTrue(ran.await(5, TimeUnit.SECONDS), "ran after the retry");
    assertEquals(null, sut.failure());
    assertEquals(1, store.reopens.get(), "a failed commit reopens the store before retrying");
    assertEquals(1, sut.faultCount());
    sut.close();
  }

  @Test
  void queuedModeHoldsCallbacksWhileFailedAndReportsOneEpisode() throws Exception {
    SlowStore store = new SlowStore();
    store.failingReopens.set(3);
    GroupCommitter sut = new GroupCommitter("test store", store, false, 50,
        new RecoveryBackoff(5, 40));
    RecordingObserver events = new RecordingObserver();
    sut.observe(events);
    sut.start(GroupCommitter.daemonThreads("test-commit"));
    AtomicInteger ran = new AtomicInteger();

    // Exercise: a writer finds the store closed; two callbacks arrive meanwhile
    sut.markFailed(new IllegalStateException("This store is closed"));
    sut.markFailed(new IllegalStateException("again, same episode"));
    sut.afterDurable(ran::incrementAndGet);
    sut.afterDurable(ran::incrementAndGet);

    // Verify: held (queued mode would run them at once), then released after the 4th reopen
    assertTrue(ran.get() < 2 || store.reopens.get() >= 4, "held until the store is back");
    await().atMost(java.time.Duration.ofSeconds(5)).until(() -> ran.get() == 2);
    assertEquals(4, store.reopens.get());
    assertEquals(List.of("failed: test store failed: This store is closed", "recovered"),
        events.seen);
    assertEquals(1, sut.faultCount());
    assertEquals(null, sut.fault());
    sut.afterDurable(ran::incrementAndGet);
    assertEquals(3, ran.get(), "healthy again: queued mode runs callbacks at once");
    sut.close();
  }

  @Test
  void backoffDoublesUpToItsBound() {
    RecoveryBackoff sut = new RecoveryBackoff(200, 1_000);

    assertEquals(List.of(200L, 400L, 800L, 1_000L, 1_000L), java.util.stream.IntStream.range(0, 5)
        .mapToObj(sut::delayMillis).toList());
  }

  @Test
  void closeCommitsAndRunsWhatIsLeft() {
    SlowStore store = new SlowStore();
    GroupCommitter sut = new GroupCommitter("test", store, true, 60_000);
    sut.start(GroupCommitter.daemonThreads("test-commit"));
    sut.close();
    AtomicBoolean ran = new AtomicBoolean();

    sut.afterDurable(() -> ran.set(true));

    assertTrue(ran.get(), "after close, callbacks run at once");
  }
}
