package org.ferrymq.persistence.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
    sut.close();
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
