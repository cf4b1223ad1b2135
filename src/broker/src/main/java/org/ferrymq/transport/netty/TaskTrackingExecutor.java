package org.ferrymq.transport.netty;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Counts the event loop tasks handed to the caller's executor until each has returned, so that
 * {@link MqttServer#close()} can promise that none of them is still running.
 *
 * <p>Thread-safe; the counter is guarded by the instance monitor.
 */
final class TaskTrackingExecutor implements Executor {

  private final Executor delegate;
  private int pending;

  TaskTrackingExecutor(Executor delegate) {
    this.delegate = Objects.requireNonNull(delegate, "executor");
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      pending++;
    }
    try {
      delegate.execute(() -> {
        try {
          task.run();
        } finally {
          finished();
        }
      });
    } catch (RuntimeException | Error e) {
      finished();
      throw e;
    }
  }

  /** @return tasks submitted and not yet returned, including those not started yet */
  synchronized int pending() {
    return pending;
  }

  /**
   * Waits until every submitted task has returned.
   *
   * @param deadlineNanos a {@link System#nanoTime()} value after which to give up
   * @return whether no task is pending
   */
  synchronized boolean awaitIdle(long deadlineNanos) throws InterruptedException {
    while (pending > 0) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  private synchronized void finished() {
    if (--pending == 0) {
      notifyAll();
    }
  }
}
