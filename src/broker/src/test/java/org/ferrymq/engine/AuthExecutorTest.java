package org.ferrymq.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The credential-check executor bounds both its threads and its queue. */
class AuthExecutorTest {

  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger mostAtOnce = new AtomicInteger();
  private final AtomicInteger done = new AtomicInteger();
  private final AuthExecutor sut = AuthExecutor.ownThreads("test-auth", 2, 3);

  @AfterEach
  void close() {
    release.countDown();
    sut.close();
  }

  private void hangingCheck() {
    mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
    try {
      release.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    running.decrementAndGet();
    done.incrementAndGet();
  }

  @Test
  void twoRunThreeWaitTheSixthIsRefusedAndAllQueuedOnesRunLater() {
    sut.execute(this::hangingCheck);
    sut.execute(this::hangingCheck);
    await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 2);
    for (int i = 0; i < 3; i++) {
      sut.execute(this::hangingCheck);
    }

    RejectedExecutionException full = assertThrows(RejectedExecutionException.class,
        () -> sut.execute(this::hangingCheck));
    assertTrue(full.getMessage().contains("3 credential checks already waiting"));
    assertEquals(5, sut.pending());

    release.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> done.get() == 5);
    assertEquals(2, mostAtOnce.get(), "never more than two threads");
    await().atMost(Duration.ofSeconds(5)).until(() -> sut.pending() == 0);
  }

  @Test
  void aClosedExecutorRefusesAndDropsWhatWaits() {
    sut.execute(this::hangingCheck);
    sut.execute(this::hangingCheck);
    await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 2);
    sut.execute(this::hangingCheck);
    sut.execute(this::hangingCheck);
    sut.close();

    assertThrows(RejectedExecutionException.class, () -> sut.execute(() -> { }));
    release.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 0);
    assertTrue(done.get() <= 2, "the queued checks were dropped");
  }
}
