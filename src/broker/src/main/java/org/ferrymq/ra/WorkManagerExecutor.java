package org.ferrymq.ra;

import jakarta.resource.spi.work.HintsContext;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkContext;
import jakarta.resource.spi.work.WorkContextProvider;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkManager;
import jakarta.resource.spi.work.WorkRejectedException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

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

  private static final Logger LOG = Logger.getLogger(WorkManagerExecutor.class.getName());
  private static final long DEFAULT_START_TIMEOUT_MILLIS = 5_000;
  private final WorkManager workManager;
  private final long startTimeoutMillis;
  private final int serverThreadBudget;
  private final AtomicInteger serverThreadsLeft;
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
   *     long-running, within the server-thread budget) or short work that returns soon
   */
  WorkManagerExecutor(WorkManager workManager, String name, Runnable onRelease,
      boolean longRunning) {
    this(workManager, name, onRelease, longRunning, defaultServerThreadBudget(),
        longRunning ? DEFAULT_START_TIMEOUT_MILLIS : WorkManager.INDEFINITE);
  }

  /**
   * Loops with a given budget, for tests.
   *
   * @param serverThreadBudget how many loops may run on server threads; the others get their own
   * @param startTimeoutMillis how long to wait for a server thread before using an own one
   */
  WorkManagerExecutor(WorkManager workManager, String name, Runnable onRelease,
      int serverThreadBudget, long startTimeoutMillis) {
    this(workManager, name, onRelease, true, serverThreadBudget, startTimeoutMillis);
  }

  private WorkManagerExecutor(WorkManager workManager, String name, Runnable onRelease,
      boolean longRunning, int serverThreadBudget, long startTimeoutMillis) {
    this.workManager = workManager;
    this.name = name;
    this.onRelease = onRelease;
    this.longRunning = longRunning;
    this.startTimeoutMillis = startTimeoutMillis;
    this.serverThreadBudget = serverThreadBudget;
    this.serverThreadsLeft = new AtomicInteger(serverThreadBudget);
  }

  /** @return half of Liberty's default core thread count: twice the processors, at least 4 */
  static int defaultServerThreadBudget() {
    return Math.max(4, 2 * Runtime.getRuntime().availableProcessors()) / 2;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (lock) {
      running++;
    }
    LoopWork work = new LoopWork(task, name + "-" + sequence.incrementAndGet());
    if (longRunning && serverThreadsLeft.getAndDecrement() <= 0) {
      if (serverThreadsLeft.get() == -1) {
        LOG.info(() -> "FerryMQ runs " + serverThreadBudget + " of its loops on the server's "
            + "default executor and the others on threads of its own, so that the executor's "
            + "core threads stay available to applications");
      }
      runOnOwnThread(work);
      return;
    }
    try {
      workManager.startWork(work, startTimeoutMillis, null, null);
    } catch (WorkRejectedException e) {
      if (!WorkException.START_TIMED_OUT.equals(e.getErrorCode())) {
        refused(e);
      }
      timedOut(work);
    } catch (WorkException e) {
      refused(e);
    }
  }

  private void refused(WorkException e) {
    finished();
    throw new RejectedExecutionException("The WorkManager refused " + name + " work", e);
  }

  /**
   * Liberty's default executor creates threads freely only up to its core size (twice the
   * processors, at least 4); past it, its controller grows the pool every 1.5 s when throughput
   * rises, and may not grow at all while the CPU is saturated. The broker's loops never return:
   * had they all taken server threads, they would hold every core thread on a small machine and
   * leave application deployment, and the rest of the broker's own startup, waiting for good.
   * So only {@link #serverThreadBudget} loops take server threads, and one whose start times out
   * all the same gets a thread of its own rather than hang startup.
   */
  private void timedOut(LoopWork work) {
    LOG.warning(() -> "The server's default executor gave " + work.workName + " no thread "
        + "within " + startTimeoutMillis + " ms (its threads are busy and its controller did "
        + "not add one); running it on a thread of its own");
    runOnOwnThread(work);
  }

  private void runOnOwnThread(LoopWork work) {
    Thread thread = new Thread(work::run, work.workName);
    thread.setDaemon(true);
    thread.start();
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
    private final transient AtomicBoolean claimed = new AtomicBoolean();

    LoopWork(Runnable task, String workName) {
      this.task = task;
      this.workName = workName;
    }

    @Override
    public void run() {
      // A work whose start timed out must not also run if the server starts it after all
      if (!claimed.compareAndSet(false, true)) {
        return;
      }
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
