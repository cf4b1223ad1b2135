package org.ferrymq.ra;

import jakarta.resource.spi.work.HintsContext;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkContext;
import jakarta.resource.spi.work.WorkContextProvider;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkManager;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs each task as long-running {@link Work} on the server's {@link WorkManager}, so the broker's
 * lanes and Netty's event loops use threads the server owns and accounts for.
 *
 * <p>When the server quiesces it calls {@link Work#release()} on running work and waits for it
 * to return before it stops the adapter; a loop cannot return on its own, so release stops the
 * broker and the listeners, which ends every loop.
 *
 * <p>Thread-safe. Counts the tasks that have started and not yet returned, so that the adapter's
 * {@code stop()} can wait until every borrowed thread is back.
 */
final class WorkManagerExecutor implements Executor {

  private final WorkManager workManager;
  private final String name;
  private final Runnable onRelease;
  private final boolean longRunning;
  private final AtomicInteger sequence = new AtomicInteger();
  private final Object lock = new Object();
  private int running;

  /**
   * @param onRelease runs when the server asks any loop to end early (on quiesce, before the
   *     adapter's {@code stop()}); it must stop whatever runs the loops, and be idempotent
   */
  WorkManagerExecutor(WorkManager workManager, String name, Runnable onRelease) {
    this(workManager, name, onRelease, true);
  }

  /**
   * @param longRunning whether each task is a loop that keeps its thread (hinted as
   *     long-running) or short work that returns soon
   */
  WorkManagerExecutor(WorkManager workManager, String name, Runnable onRelease,
      boolean longRunning) {
    this.workManager = workManager;
    this.name = name;
    this.onRelease = onRelease;
    this.longRunning = longRunning;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (lock) {
      running++;
    }
    try {
      workManager.startWork(new LoopWork(task, name + "-" + sequence.incrementAndGet()),
          WorkManager.INDEFINITE, null, null);
    } catch (WorkException e) {
      finished();
      throw new RejectedExecutionException("The WorkManager refused " + name + " work", e);
    }
  }

  /** @return tasks handed out that have not returned yet */
  int running() {
    synchronized (lock) {
      return running;
    }
  }

  /**
   * Waits until every task has returned.
   *
   * @return whether none is still running when the timeout ends
   */
  boolean awaitIdle(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    synchronized (lock) {
      while (running > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  private void finished() {
    synchronized (lock) {
      running--;
      lock.notifyAll();
    }
  }

  /** One task; for a loop the hints ask the server for a dedicated, long-running thread. */
  private final class LoopWork implements Work, WorkContextProvider {
    private static final long serialVersionUID = 1L;
    private final transient Runnable task;
    private final String workName;

    LoopWork(Runnable task, String workName) {
      this.task = task;
      this.workName = workName;
    }

    @Override
    public void run() {
      Thread thread = Thread.currentThread();
      String previous = thread.getName();
      thread.setName(workName);
      try {
        task.run();
      } finally {
        thread.setName(previous);
        finished();
      }
    }

    @Override
    public void release() {
      onRelease.run();
    }

    @Override
    public List<WorkContext> getWorkContexts() {
      HintsContext hints = new HintsContext();
      hints.setName(workName);
      if (longRunning) {
        hints.setHint(HintsContext.LONGRUNNING_HINT, Boolean.TRUE);
      }
      return List.of(hints);
    }
  }
}
