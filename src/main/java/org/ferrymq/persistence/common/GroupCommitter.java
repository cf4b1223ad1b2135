package org.ferrymq.persistence.common;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Group commit: one background loop commits and syncs the store for every durability request
 * that arrived while the previous sync was running, then runs their callbacks. Under load many
 * acknowledgements share one sync; when idle a request is served at once.
 *
 * <p>In {@code waitForSync} mode (persistence mode {@code persistent}) {@link #afterDurable}
 * holds its action until the next completed commit and sync. Otherwise (mode {@code queued})
 * the action runs at once and the loop only commits and syncs every interval. In both modes
 * the loop also commits every interval when the store has changes that nobody waits for.
 *
 * <p>Thread-safe. The loop runs as one long-lived task on the supplied {@link Executor}; the
 * {@link Target} is only ever called from that task, or from {@link #close()} after it ended.
 */
public final class GroupCommitter implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(GroupCommitter.class.getName());

  /** What the committer drives. */
  public interface Target {
    /** @return whether writes were made since the last commit */
    boolean hasChanges();

    /** Commits every write made so far and forces it to stable storage. */
    void commitAndSync() throws Exception;
  }

  private final String name;
  private final Target target;
  private final boolean waitForSync;
  private final long intervalNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private List<Runnable> waiting = new ArrayList<>();
  private boolean running;
  private boolean started;
  private final CountDownLatch loopDone = new CountDownLatch(1);
  private final AtomicLong syncs = new AtomicLong();
  private volatile Throwable failure;

  /**
   * @param name names the store in log messages
   * @param target the store to commit
   * @param waitForSync whether {@link #afterDurable} waits for a sync
   * @param intervalMillis how often changes without waiters are committed
   */
  public GroupCommitter(String name, Target target, boolean waitForSync, long intervalMillis) {
    this.name = name;
    this.target = target;
    this.waitForSync = waitForSync;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, intervalMillis));
  }

  /** Starts the commit loop on one thread of {@code executor}. */
  public void start(Executor executor) {
    lock.lock();
    try {
      if (started) {
        throw new IllegalStateException("already started");
      }
      started = true;
      running = true;
    } finally {
      lock.unlock();
    }
    executor.execute(this::loop);
  }

  /** An executor that runs each task on a new daemon thread, for use outside a container. */
  public static Executor daemonThreads(String threadName) {
    return task -> {
      Thread t = new Thread(task, threadName);
      t.setDaemon(true);
      t.start();
    };
  }

  /**
   * Runs {@code action} once every write made before this call is committed and synced; in
   * queued mode at once. The action runs on the commit thread and must be short.
   */
  public void afterDurable(Runnable action) {
    if (!waitForSync) {
      action.run();
      return;
    }
    enqueue(action);
  }

  /** Commits and syncs everything written so far and waits for it, whatever the mode. */
  public void flush() {
    CountDownLatch done = new CountDownLatch(1);
    if (!enqueue(done::countDown)) {
      return;
    }
    try {
      while (!done.await(1, TimeUnit.SECONDS)) {
        if (failure != null) {
          throw new IllegalStateException(name + ": commit failed", failure);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** @return false when the loop has stopped and the action was run on the caller instead */
  private boolean enqueue(Runnable action) {
    lock.lock();
    try {
      if (running) {
        waiting.add(action);
        if (waiting.size() == 1) {
          wake.signal();
        }
        return true;
      }
    } finally {
      lock.unlock();
    }
    // Closed: close() committed everything before it stopped accepting requests.
    action.run();
    return false;
  }

  /** @return how many commit-and-sync cycles have run */
  public long syncCount() {
    return syncs.get();
  }

  /** @return the last commit failure, or {@code null} if the last commit succeeded */
  public Throwable failure() {
    return failure;
  }

  private void loop() {
    try {
      long nextPeriodic = System.nanoTime() + intervalNanos;
      while (true) {
        List<Runnable> batch;
        lock.lock();
        try {
          while (running && waiting.isEmpty()) {
            long left = nextPeriodic - System.nanoTime();
            if (left <= 0) {
              break;
            }
            wake.awaitNanos(left);
          }
          if (!running) {
            return;
          }
          batch = waiting;
          waiting = new ArrayList<>();
        } finally {
          lock.unlock();
        }
        if (!cycle(batch)) {
          pause(); // failed: retry after an interval, keeping the waiters
        }
        if (batch.isEmpty()) {
          nextPeriodic = System.nanoTime() + intervalNanos;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      loopDone.countDown();
    }
  }

  private void pause() throws InterruptedException {
    lock.lock();
    try {
      wake.awaitNanos(intervalNanos);
    } finally {
      lock.unlock();
    }
  }

  /** Commits if needed, then runs the batch; on failure puts the batch back. */
  private boolean cycle(List<Runnable> batch) {
    try {
      // No changes means everything written is already committed, and every commit is synced
      // before the next cycle starts, so the waiters need no sync of their own.
      if (target.hasChanges()) {
        target.commitAndSync();
        syncs.incrementAndGet();
      }
      if (failure != null) {
        LOG.info(() -> name + ": commits succeed again");
        failure = null;
      }
    } catch (Exception | Error e) {
      if (failure == null) {
        LOG.log(Level.SEVERE, name + ": commit failed; acknowledgements wait until a commit "
            + "succeeds", e);
      }
      failure = e;
      lock.lock();
      try {
        batch.addAll(waiting);
        waiting = batch;
      } finally {
        lock.unlock();
      }
      return false;
    }
    for (Runnable r : batch) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, name + ": a durability callback failed", e);
      }
    }
    return true;
  }

  /**
   * Stops the loop, then commits and syncs what is left and runs the remaining callbacks on the
   * caller's thread.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (!running) {
        return;
      }
      running = false;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      if (!loopDone.await(30, TimeUnit.SECONDS)) {
        LOG.warning(name + ": the commit loop did not stop within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Runnable> rest;
    lock.lock();
    try {
      rest = waiting;
      waiting = new ArrayList<>();
    } finally {
      lock.unlock();
    }
    cycle(rest);
  }
}
