package org.ferrymq.ra;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Waits for something another component provides a moment later (Liberty writes its default key
 * store and publishes its SSL configuration just after the adapter starts): a scheduled task asks
 * a probe every interval and completes a future with the first answer; the caller blocks on that
 * future until the deadline instead of sleeping between attempts. The first attempt runs on the
 * caller's thread; the scheduler's one daemon thread exists only while a wait lasts.
 *
 * <p>Thread-safe: each call has its own scheduler and future.
 */
final class PollingWait {

  /** One attempt; empty (or an exception) while the thing is not there yet. */
  @FunctionalInterface
  interface Probe<T> {
    Optional<T> attempt() throws Exception;
  }

  private PollingWait() {
  }

  /**
   * Asks {@code probe} at once, then every {@code intervalMillis}, until it answers.
   *
   * @param threadName names the scheduler's thread while it waits
   * @return the probe's first answer
   * @throws TimeoutException when no answer came within {@code timeoutMillis}; its cause is
   *     the exception of the last failed attempt, if any
   * @throws InterruptedException when the waiting thread is interrupted
   */
  static <T> T until(Probe<T> probe, long intervalMillis, long timeoutMillis, String threadName)
      throws TimeoutException, InterruptedException {
    AtomicReference<Exception> lastFailure = new AtomicReference<>();
    // Usually the thing is there already: then no thread is started at all
    Optional<T> first = attempt(probe, lastFailure);
    if (first.isPresent()) {
      return first.get();
    }
    CompletableFuture<T> answer = new CompletableFuture<>();
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, threadName);
      thread.setDaemon(true);
      return thread;
    });
    try {
      scheduler.scheduleWithFixedDelay(() -> attempt(probe, lastFailure)
          .ifPresent(answer::complete), intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
      return answer.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      TimeoutException timedOut = new TimeoutException("no answer within " + timeoutMillis
          + " ms");
      timedOut.initCause(lastFailure.get());
      throw timedOut;
    } catch (ExecutionException e) {
      // the future is only ever completed normally
      throw new IllegalStateException(e.getCause());
    } finally {
      scheduler.shutdownNow();
    }
  }

  private static <T> Optional<T> attempt(Probe<T> probe, AtomicReference<Exception> failure) {
    try {
      return probe.attempt();
    } catch (Exception e) {
      failure.set(e);
      return Optional.empty();
    }
  }
}
