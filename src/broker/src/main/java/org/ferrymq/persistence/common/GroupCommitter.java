package org.ferrymq.persistence.common;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.persistence.RecoveryBackoff;
import org.ferrymq.persistence.StoreObserver;
import org.ferrymq.stats.LatencyHistogram;
import org.ferrymq.stats.LatencySnapshot;

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
 * <p>Faults: a failed commit, or a write the store refused ({@link #markFailed}), starts a fault
 * episode. It is logged once, the {@link StoreObserver} is told, and every {@link #afterDurable}
 * action waits, in both modes. The loop stops committing to the broken store and instead asks
 * the {@link Target} to reopen it ({@link Target#reopen}) with a bounded exponential backoff;
 * once a reopen and the commit of everything written meanwhile succeed, the waiting actions
 * run, the recovery is logged once and the observer told.
 *
 * <p>Thread-safe. The loop runs as one long-lived task on the supplied {@link Executor}; the
 * {@link Target} is only ever called from that task, or from {@link #close()} after it ended.
 *
 * <p>A little over 400 lines on purpose: the commit loop and the fault episode are one state
 * machine run by one thread, and its transitions read best in one place.
 */
public final class GroupCommitter implements AutoCloseable {

  /** Commit-and-sync durations; written by the loop only. */
  private final LatencyHistogram commitLatency = new LatencyHistogram();
  private static final Logger LOG = Logger.getLogger(GroupCommitter.class.getName());

  /** What the committer drives. */
  public interface Target {
    /** @return whether writes were made since the last commit */
    boolean hasChanges();

    /** Commits every write made so far and forces it to stable storage. */
    void commitAndSync() throws Exception;

    /**
     * Makes a failed store usable again (a new store instance on the same file, a new
     * database connection) and verifies it; the next {@link #commitAndSync} then writes every
     * change not yet committed, including those made while the store was failed.
     */
    void reopen() throws Exception;
  }

  private final String name;
  private final Target target;
  private final boolean waitForSync;
  private final long intervalNanos;
  private final RecoveryBackoff backoff;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private List<Runnable> waiting = new ArrayList<>();
  private boolean running;
  private boolean started;
  private final CountDownLatch loopDone = new CountDownLatch(1);
  private final AtomicLong syncs = new AtomicLong();
  private final AtomicLong faults = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile StoreObserver observer;
  /**
   * Held while an episode starts or ends and its observer is told, so the observer hears
   * "failed" and "recovered" in the order they happened, never a stale "failed" after the
   * recovery that ended its episode.
   */
  private final Object episodes = new Object();

  /**
   * @param name names the store in log messages
   * @param target the store to commit
   * @param waitForSync whether {@link #afterDurable} waits for a sync
   * @param intervalMillis how often changes without waiters are committed
   * @param backoff how often a failed store is reopened
   */
  public GroupCommitter(String name, Target target, boolean waitForSync, long intervalMillis,
      RecoveryBackoff backoff) {
    this.name = name;
    this.target = target;
    this.waitForSync = waitForSync;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, intervalMillis));
    this.backoff = backoff;
  }

  /** With the default {@link RecoveryBackoff}. */
  public GroupCommitter(String name, Target target, boolean waitForSync, long intervalMillis) {
    this(name, target, waitForSync, intervalMillis, RecoveryBackoff.defaults());
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
   * queued mode at once, unless the store is failed. The action runs on the commit thread and
   * must be short.
   */
  public void afterDurable(Runnable action) {
    if (!waitForSync && failure.get() == null) {
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
        Throwable f = failure.get();
        if (f != null) {
          throw new IllegalStateException(name + ": commit failed", f);
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

  /**
   * Starts a fault episode unless one is running: the store refused a write (it closed itself,
   * or its file is gone). Logs once, tells the observer and wakes the loop to reopen the store.
   * Safe from any thread.
   */
  public void markFailed(Throwable cause) {
    synchronized (episodes) {
      if (!failure.compareAndSet(null, cause)) {
        return;
      }
      faults.incrementAndGet();
      String fault = fault();
      LOG.log(Level.SEVERE, fault + "; QoS 1/2 publishes and acknowledgements are held and the "
          + "store is reopened in the background", cause);
      StoreObserver o = observer;
      if (o != null) {
        o.storeFailed(fault);
      }
    }
    lock.lock();
    try {
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Registers the observer; told at once if the store is failed already. */
  public void observe(StoreObserver value) {
    synchronized (episodes) {
      observer = value;
      String fault = fault();
      if (fault != null) {
        value.storeFailed(fault);
      }
    }
  }

  /** @return how many commit-and-sync cycles have run */
  public long syncCount() {
    return syncs.get();
  }

  /** @return the cause of the running fault episode, or {@code null} while healthy */
  public Throwable failure() {
    return failure.get();
  }

  /** @return the running fault naming the store and its cause, or {@code null} while healthy */
  /** @return how long commits with their sync took, since start (only the loop records) */
  public LatencySnapshot commitLatency() {
    return commitLatency.snapshot();
  }

  public String fault() {
    Throwable f = failure.get();
    return f == null ? null : name + " failed: " + describe(f);
  }

  /** @return fault episodes since start */
  public long faultCount() {
    return faults.get();
  }

  private static String describe(Throwable t) {
    StringBuilder b = new StringBuilder(String.valueOf(t.getMessage()));
    for (Throwable c = t.getCause(); c != null && c != t; c = c.getCause()) {
      if (c.getMessage() != null && !b.toString().contains(c.getMessage())) {
        b.append(" (").append(c.getMessage()).append(')');
      }
    }
    return b.toString();
  }

  private void loop() {
    try {
      long nextPeriodic = System.nanoTime() + intervalNanos;
      while (true) {
        if (failure.get() != null && !recover()) {
          return;
        }
        List<Runnable> batch;
        lock.lock();
        try {
          while (running && waiting.isEmpty() && failure.get() == null) {
            long left = nextPeriodic - System.nanoTime();
            if (left <= 0) {
              break;
            }
            wake.awaitNanos(left);
          }
          if (!running) {
            return;
          }
          if (failure.get() != null) {
            continue;
          }
          batch = waiting;
          waiting = new ArrayList<>();
        } finally {
          lock.unlock();
        }
        cycle(batch);
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

  /**
   * Reopens the store until it works again: waits the backoff, reopens, commits what was
   * written meanwhile. Does not touch the broken store otherwise.
   *
   * @return false when the committer was closed meanwhile
   */
  private boolean recover() throws InterruptedException {
    long since = System.nanoTime();
    for (int attempt = 0; ; attempt++) {
      lock.lock();
      try {
        long left = TimeUnit.MILLISECONDS.toNanos(backoff.delayMillis(attempt));
        while (running && left > 0) {
          left = wake.awaitNanos(left);
        }
        if (!running) {
          return false;
        }
      } finally {
        lock.unlock();
      }
      try {
        target.reopen();
        target.commitAndSync();
        syncs.incrementAndGet();
      } catch (Exception | Error e) {
        int failed = attempt + 1;
        LOG.log(Level.FINE, () -> name + ": reopen attempt " + failed + " failed: " + e);
        continue;
      }
      int attempts = attempt + 1;
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
      synchronized (episodes) {
        failure.set(null);
        LOG.info(() -> name + " is available again after " + millis + " ms (" + attempts
            + (attempts == 1 ? " attempt" : " attempts") + "); held publishes and "
            + "acknowledgements resume");
        StoreObserver o = observer;
        if (o != null) {
          o.storeRecovered();
        }
      }
      runWaiting();
      return true;
    }
  }

  /** After a recovery: everything written before it is committed, so the waiters may go. */
  private void runWaiting() {
    List<Runnable> batch;
    lock.lock();
    try {
      batch = waiting;
      waiting = new ArrayList<>();
    } finally {
      lock.unlock();
    }
    runAll(batch);
  }

  /** Commits if needed, then runs the batch; on failure puts the batch back. */
  private boolean cycle(List<Runnable> batch) {
    try {
      // No changes means everything written is already committed, and every commit is synced
      // before the next cycle starts, so the waiters need no sync of their own.
      if (target.hasChanges()) {
        long started = System.nanoTime();
        target.commitAndSync();
        commitLatency.record(System.nanoTime() - started);
        syncs.incrementAndGet();
      }
    } catch (Exception | Error e) {
      putBack(batch);
      markFailed(e);
      return false;
    }
    if (failure.get() != null) {
      // A write failed during the commit: it is not in it, so neither may its waiters go
      putBack(batch);
      return false;
    }
    runAll(batch);
    return true;
  }

  /** The batch waits again, before the callbacks that arrived meanwhile. */
  private void putBack(List<Runnable> batch) {
    lock.lock();
    try {
      batch.addAll(waiting);
      waiting = batch;
    } finally {
      lock.unlock();
    }
  }

  private void runAll(List<Runnable> batch) {
    for (Runnable r : batch) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, name + ": a durability callback failed", e);
      }
    }
  }

  /**
   * Stops the loop, then commits and syncs what is left and runs the remaining callbacks on the
   * caller's thread. A failed store is not written to: its waiting callbacks never run.
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
    if (failure.get() != null) {
      return;
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
