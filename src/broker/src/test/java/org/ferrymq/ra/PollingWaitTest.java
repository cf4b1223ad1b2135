package org.ferrymq.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PollingWaitTest {

  @Test
  void returnsTheFirstAnswerAfterFailedAndEmptyAttempts() throws Exception {
    AtomicInteger attempts = new AtomicInteger();

    String answer = PollingWait.until(() -> {
      int n = attempts.incrementAndGet();
      if (n == 1) {
        throw new IOException("not yet");
      }
      return n < 4 ? Optional.empty() : Optional.of("ready after " + n);
    }, 5, 10_000, "polling-wait-test");

    assertEquals("ready after 4", answer);
    assertEquals(4, attempts.get(), "no attempt after the answer");
  }

  @Test
  void anAnswerThatIsThereAtOnceIsTakenOnTheCallersThread() throws Exception {
    Thread caller = Thread.currentThread();

    Thread asked = PollingWait.until(() -> Optional.of(Thread.currentThread()), 5, 1_000,
        "polling-wait-test");

    assertSame(caller, asked);
  }

  @Test
  void timesOutWithTheLastFailureAsCause() {
    IOException failure = new IOException("still missing");

    TimeoutException e = assertThrows(TimeoutException.class,
        () -> PollingWait.until(() -> {
          throw failure;
        }, 5, 100, "polling-wait-test"));

    assertSame(failure, e.getCause());
  }

  @Test
  void theSchedulerThreadEndsWithTheWait() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    PollingWait.until(() -> Optional.of(attempts.incrementAndGet()).filter(n -> n > 2), 5,
        1_000, "polling-wait-ends");
    Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("polling-wait-ends"))
        .forEach(t -> {
          try {
            t.join(5_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });

    assertFalse(Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("polling-wait-ends") && t.isAlive()));
  }

  @Test
  void anInterruptedWaiterStopsWaiting() {
    Thread.currentThread().interrupt();
    try {
      assertThrows(InterruptedException.class,
          () -> PollingWait.until(Optional::empty, 5, 10_000, "polling-wait-test"));
    } finally {
      Thread.interrupted();
    }
  }
}
