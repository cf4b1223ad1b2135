package org.ferrymq.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One serial executor. Every piece of work for the sessions that hash to this lane runs here, one
 * task at a time, so session state needs no locks. After each batch of tasks the lane flushes
 * the transports that were written to, so many small writes cost one flush.
 */
final class Lane implements Runnable {
  private static final Logger LOG = Logger.getLogger(Lane.class.getName());
  private static final int MAX_BATCH = 256;

  private final int index;
  private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
  private final List<ConnectionHandler> dirty = new ArrayList<>();
  private final List<Runnable> batch = new ArrayList<>(MAX_BATCH);
  /** Connected clients of this lane, checked for keep-alive by {@link #sweep}. */
  final java.util.Set<ConnectionHandler> connections = new java.util.HashSet<>();
  /** Disconnected sessions with a pending Will or an expiry, checked by {@link #sweep}. */
  final java.util.Set<Session> offlineSessions = new java.util.HashSet<>();
  /** Route collector reused by every publish routed on this lane. */
  final Router.Collector collector = new Router.Collector();
  private volatile Thread thread;
  private volatile boolean running = true;
  private volatile long busySinceNanos;

  Lane(int index) {
    this.index = index;
  }

  int index() {
    return index;
  }

  /** Queues a task; safe from any thread. */
  void execute(Runnable task) {
    tasks.add(task);
  }

  /** Runs the task now if called on this lane, else queues it. */
  void executeOrRun(Runnable task) {
    if (Thread.currentThread() == thread) {
      task.run();
    } else {
      tasks.add(task);
    }
  }

  boolean isCurrent() {
    return Thread.currentThread() == thread;
  }

  /** Registers a connection to be flushed at the end of the current batch. */
  void markDirty(ConnectionHandler connection) {
    if (!connection.dirty) {
      connection.dirty = true;
      dirty.add(connection);
    }
  }

  /** @return nanoseconds the current batch has been running, 0 when idle */
  long stallNanos() {
    long since = busySinceNanos;
    return since == 0 ? 0 : Math.max(0, System.nanoTime() - since);
  }

  int pending() {
    return tasks.size();
  }

  void stop() {
    running = false;
    tasks.add(() -> { });
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    try {
      while (running) {
        Runnable first = tasks.poll(1, TimeUnit.SECONDS);
        if (first == null) {
          continue;
        }
        busySinceNanos = System.nanoTime();
        batch.add(first);
        tasks.drainTo(batch, MAX_BATCH - 1);
        for (Runnable task : batch) {
          runSafely(task);
        }
        batch.clear();
        flushDirty();
        busySinceNanos = 0;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      thread = null;
    }
  }

  private void runSafely(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      LOG.log(Level.SEVERE, "Lane " + index + " task failed; the lane continues", e);
    }
  }

  private void flushDirty() {
    for (int i = 0; i < dirty.size(); i++) {
      ConnectionHandler c = dirty.get(i);
      c.dirty = false;
      c.flush();
    }
    dirty.clear();
  }
}
