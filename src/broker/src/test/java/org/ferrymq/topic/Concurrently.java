package org.ferrymq.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

/** Runs tasks on plain threads released together by a latch and collects their failures. */
final class Concurrently {
  private static final long JOIN_TIMEOUT_MILLIS = 60_000;

  private Concurrently() {
  }

  /** @return the task followed, even if it fails, by counting down {@code done} */
  static Runnable countingDown(CountDownLatch done, Runnable task) {
    return () -> {
      try {
        task.run();
      } finally {
        done.countDown();
      }
    };
  }

  /** Runs every task on its own thread and fails if any task threw or did not finish. */
  static void run(List<Runnable> tasks) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (Runnable task : tasks) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
          task.run();
        } catch (Throwable t) {
          failures.add(t);
        }
      });
      thread.start();
      threads.add(thread);
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join(JOIN_TIMEOUT_MILLIS);
      assertFalse(thread.isAlive(), "task still running, deadlock?");
    }
    assertEquals(List.of(), List.copyOf(failures));
  }
}
