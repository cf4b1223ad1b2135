package org.ferrymq.ra;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.resource.spi.work.ExecutionContext;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkListener;
import jakarta.resource.spi.work.WorkManager;
import jakarta.resource.spi.work.WorkRejectedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Loops on server threads, and on threads of their own when the server has none to give. */
class WorkManagerExecutorTest {

  /** A WorkManager that refuses every start with one error code, keeping the work. */
  private static final class RefusingWorkManager implements WorkManager {
    final String errorCode;
    final List<Work> refused = new ArrayList<>();

    RefusingWorkManager(String errorCode) {
      this.errorCode = errorCode;
    }

    @Override
    public long startWork(Work work, long timeout, ExecutionContext ctx, WorkListener l)
        throws WorkException {
      refused.add(work);
      throw new WorkRejectedException("no thread", errorCode);
    }

    @Override
    public long startWork(Work work) throws WorkException {
      return startWork(work, INDEFINITE, null, null);
    }

    @Override
    public void doWork(Work work) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void doWork(Work work, long timeout, ExecutionContext ctx, WorkListener l) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void scheduleWork(Work work) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void scheduleWork(Work work, long timeout, ExecutionContext ctx, WorkListener l) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  @DisplayName("a loop whose start times out on a busy server runs on a thread of its own, "
      + "once, even if the server starts it later")
  void startTimeoutFallsBackToOwnThread() throws Exception {
    RefusingWorkManager server = new RefusingWorkManager(WorkException.START_TIMED_OUT);
    WorkManagerExecutor sut = new WorkManagerExecutor(server, "test", () -> { }, 4, 10);
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);

    // Exercise
    sut.execute(() -> {
      runs.incrementAndGet();
      try {
        release.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });

    // Verify
    await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 1);
    assertEquals(1, sut.running());
    server.refused.get(0).run();
    assertEquals(1, runs.get(), "the late server start ran the loop a second time");
    release.countDown();
    assertTrue(sut.awaitIdle(5, TimeUnit.SECONDS));
  }

  @Test
  @DisplayName("loops past the server-thread budget run on own threads without asking the "
      + "server, so its core threads stay free for applications")
  void loopsPastTheBudgetGetOwnThreads() throws Exception {
    RefusingWorkManager server = new RefusingWorkManager(WorkException.INTERNAL);
    WorkManagerExecutor sut = new WorkManagerExecutor(server, "test", () -> { }, 0, 10);
    CountDownLatch ran = new CountDownLatch(2);

    // Exercise
    sut.execute(ran::countDown);
    sut.execute(ran::countDown);

    // Verify
    assertTrue(ran.await(5, TimeUnit.SECONDS));
    assertTrue(server.refused.isEmpty(), "the server was asked for a thread");
    assertTrue(sut.awaitIdle(5, TimeUnit.SECONDS));
  }

  @Test
  @DisplayName("any other refusal is an error, and the loop is not counted as running")
  void otherRefusalsAreErrors() {
    WorkManagerExecutor sut = new WorkManagerExecutor(
        new RefusingWorkManager(WorkException.INTERNAL), "test", () -> { }, 4, 10);

    assertThrows(RejectedExecutionException.class, () -> sut.execute(() -> { }));
    assertEquals(0, sut.running());
  }
}
