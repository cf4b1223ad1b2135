package org.ferrymq.engine;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs credential checks (user registry, LDAP, JWT and its key fetch) off the session lanes, on
 * at most {@code maxThreads} threads at once and with at most {@code queueCapacity} checks
 * waiting; {@link #execute} throws {@link RejectedExecutionException} when the queue is full, and
 * the broker then refuses the CONNECT as Server busy. A slow lookup so delays only the logins
 * behind it, never the clients that share its lane.
 *
 * <p>The threads come from the hosting layer: {@link #on} borrows them from any executor (on
 * Liberty, the resource adapter's WorkManager, so the server owns and accounts for them), and
 * {@link #ownThreads} makes its own named daemon threads. Either way this class does the
 * bounding: a check is queued here and up to {@code maxThreads} drain tasks take checks from the
 * queue until it is empty.
 *
 * <p>The broker closes it when it stops: queued checks are dropped (their connections are being
 * closed) and later ones refused. Thread-safe.
 */
public final class AuthExecutor implements Executor, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(AuthExecutor.class.getName());

  private final Executor threads;
  private final ExecutorService owned;
  private final int maxThreads;
  private final ArrayBlockingQueue<Runnable> queue;
  private final AtomicInteger running = new AtomicInteger();
  private volatile boolean closed;

  private AuthExecutor(Executor threads, ExecutorService owned, int maxThreads,
      int queueCapacity) {
    if (maxThreads < 1 || queueCapacity < 1) {
      throw new IllegalArgumentException("threads and queue must be at least 1");
    }
    this.threads = threads;
    this.owned = owned;
    this.maxThreads = maxThreads;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
  }

  /**
   * @param threads where the drain tasks run; each returns once the queue is empty
   * @param maxThreads drain tasks running at once
   * @param queueCapacity checks that may wait
   */
  public static AuthExecutor on(Executor threads, int maxThreads, int queueCapacity) {
    return new AuthExecutor(threads, null, maxThreads, queueCapacity);
  }

  /** With its own daemon threads named {@code name-N}, ended by {@link #close()}. */
  public static AuthExecutor ownThreads(String name, int maxThreads, int queueCapacity) {
    AtomicInteger sequence = new AtomicInteger();
    // Cached: idle threads end after a minute; the drain count bounds how many exist
    ExecutorService pool = Executors.newCachedThreadPool(task -> {
      Thread t = new Thread(task, name + "-" + sequence.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    return new AuthExecutor(pool, pool, maxThreads, queueCapacity);
  }

  /**
   * Queues a check.
   *
   * @throws RejectedExecutionException when the queue is full or the executor closed
   */
  @Override
  public void execute(Runnable check) {
    if (closed || !queue.offer(check)) {
      throw new RejectedExecutionException(closed ? "closed"
          : queue.size() + " credential checks already waiting");
    }
    startDrains();
  }

  /** @return checks waiting or running */
  public int pending() {
    return queue.size() + running.get();
  }

  /** @return the most checks that may wait */
  public int capacity() {
    return queue.size() + queue.remainingCapacity();
  }

  @Override
  public void close() {
    closed = true;
    queue.clear();
    if (owned != null) {
      owned.shutdownNow();
    }
  }

  private void startDrains() {
    while (!queue.isEmpty()) {
      int now = running.get();
      if (now >= maxThreads) {
        return;
      }
      if (running.compareAndSet(now, now + 1)) {
        try {
          threads.execute(this::drain);
        } catch (RejectedExecutionException e) {
          running.decrementAndGet();
          if (!closed) {
            LOG.log(Level.WARNING, "No thread for credential checks; " + queue.size()
                + " wait for the next one", e);
          }
          return;
        }
      }
    }
  }

  private void drain() {
    try {
      Runnable check;
      while (!closed && (check = queue.poll()) != null) {
        try {
          check.run();
        } catch (RuntimeException | Error e) {
          LOG.log(Level.SEVERE, "Credential check failed unexpectedly", e);
        }
      }
    } finally {
      running.decrementAndGet();
    }
    // A check queued while this drain was leaving found every drain busy: start one for it
    startDrains();
  }
}
