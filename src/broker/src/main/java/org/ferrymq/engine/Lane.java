package org.ferrymq.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One serial executor. Every piece of work for the sessions that hash to this lane runs here, one
 * task at a time, so session state needs no locks. After each batch of tasks the lane flushes
 * the transports that were written to, so many small writes cost one flush.
 *
 * <p>Work normally runs on the lane's own thread. A transport thread that hands over packets
 * while the lane has nothing queued or running runs them itself ({@link #executeHere}), which
 * saves a thread wake-up on every message of a lightly loaded broker. The {@link #owner} lock
 * makes the two runners exclusive, and the count of unfinished tasks keeps submission order:
 * work only runs in place when nothing submitted earlier is still waiting.
 *
 * <p>A lane run in place inside another lane's run (a delivery to an idle subscriber lane) does
 * not flush: its connections join the outermost run on the thread, which flushes them all once
 * at its end, so a batch of publishes costs one flush per receiver, not one per message.
 */
final class Lane implements Runnable {
  private static final Logger LOG = Logger.getLogger(Lane.class.getName());
  private static final int MAX_BATCH = 256;

  /** Connections written by the lane runs on this thread, flushed when the outermost ends. */
  private static final ThreadLocal<PendingFlushes> PENDING =
      ThreadLocal.withInitial(PendingFlushes::new);

  private final int index;
  /** Written only while running this lane. */
  final LaneCounters counters;
  private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
  private final List<ConnectionHandler> dirty = new ArrayList<>();
  private final List<Runnable> batch = new ArrayList<>(MAX_BATCH);
  /** Connected clients of this lane, checked for keep-alive by {@link #sweep}. */
  final java.util.Set<ConnectionHandler> connections = new java.util.HashSet<>();
  /** Disconnected sessions with a pending Will or an expiry, checked by {@link #sweep}. */
  final java.util.Set<Session> offlineSessions = new java.util.HashSet<>();
  /** Route collector reused by every publish routed on this lane. */
  final Router.Collector collector = new Router.Collector();
  /** Tasks submitted and not yet finished, queued or running. */
  private final AtomicInteger unfinished = new AtomicInteger();
  /** Held by whichever thread runs this lane's tasks: the lane thread or a transport thread. */
  private final ReentrantLock owner = new ReentrantLock();
  private volatile Thread runner;
  private volatile boolean running = true;
  private volatile long busySinceNanos;

  Lane(int index, LaneCounters counters) {
    this.index = index;
    this.counters = counters;
  }

  int index() {
    return index;
  }

  /** Queues a task; safe from any thread. */
  void execute(Runnable task) {
    unfinished.incrementAndGet();
    tasks.add(task);
  }

  /**
   * Runs the task now if called while running this lane, or on the calling thread if the lane is
   * idle (a delivery from the publisher's lane then needs no hand-off); else queues it.
   */
  void executeOrRun(Runnable task) {
    if (isCurrent()) {
      task.run();
    } else {
      executeHere(task);
    }
  }

  /**
   * Runs the task on the calling thread, with the end-of-batch flush, when the lane has nothing
   * queued or running; else queues it. Only ever tries the lock, so a thread running one lane
   * can run another idle one without risk of deadlock.
   */
  void executeHere(Runnable task) {
    if (!running || !unfinished.compareAndSet(0, 1)) {
      execute(task);
      return;
    }
    if (!owner.tryLock()) {
      // The lane thread is finishing its last batch; it will take this one next.
      tasks.add(task);
      return;
    }
    PendingFlushes pending = PENDING.get();
    pending.depth++;
    try {
      runner = Thread.currentThread();
      busySinceNanos = System.nanoTime();
      runSafely(task);
      handDirtyTo(pending);
    } finally {
      busySinceNanos = 0;
      runner = null;
      owner.unlock();
      unfinished.decrementAndGet();
      pending.leave();
    }
  }

  boolean isCurrent() {
    return Thread.currentThread() == runner;
  }

  /**
   * The confinement check of lane-owned state (sessions, connection state machines), like
   * Moquette's {@code checkMatchSessionLoop}: fails with an {@link AssertionError} naming the
   * state and the thread unless the calling thread runs this lane. Only with assertions enabled
   * (the tests); otherwise the body is empty and the JIT removes the call.
   *
   * @param state what is being touched, for the message
   */
  void assertCurrent(Object state) {
    assert isCurrent() : state + " is confined to lane " + index + " but was touched by thread "
        + Thread.currentThread().getName();
  }

  /**
   * Runs a task on the calling thread as this lane's runner, waiting for the lane if another
   * thread runs it. For the broker's start, which restores sessions before the lane threads
   * run; nothing it writes is flushed.
   */
  void runAsOwner(Runnable task) {
    owner.lock();
    try {
      runner = Thread.currentThread();
      task.run();
    } finally {
      runner = null;
      owner.unlock();
    }
  }

  /** Registers a connection to be flushed at the end of the current batch. */
  void markDirty(ConnectionHandler connection) {
    if (connection.markDirty()) {
      dirty.add(connection);
    }
  }

  /** @return nanoseconds the current batch has been running, 0 when idle */
  long stallNanos() {
    long since = busySinceNanos;
    return since == 0 ? 0 : Math.max(0, System.nanoTime() - since);
  }

  int pending() {
    return unfinished.get();
  }

  void stop() {
    running = false;
    execute(() -> { });
  }

  @Override
  public void run() {
    try {
      while (running) {
        Runnable first = tasks.poll(1, TimeUnit.SECONDS);
        if (first != null) {
          runBatch(first);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void runBatch(Runnable first) {
    PendingFlushes pending = PENDING.get();
    pending.depth++;
    owner.lock();
    try {
      runner = Thread.currentThread();
      busySinceNanos = System.nanoTime();
      batch.add(first);
      tasks.drainTo(batch, MAX_BATCH - 1);
      for (Runnable task : batch) {
        runSafely(task);
      }
      handDirtyTo(pending);
    } finally {
      busySinceNanos = 0;
      runner = null;
      owner.unlock();
      unfinished.addAndGet(-batch.size());
      batch.clear();
      pending.leave();
    }
  }

  private void runSafely(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      LOG.log(Level.SEVERE, "Lane " + index + " task failed; the lane continues", e);
    }
  }

  /** Still holding the lane: resets the dirty marks, the thread flushes after letting go. */
  private void handDirtyTo(PendingFlushes pending) {
    for (int i = 0; i < dirty.size(); i++) {
      ConnectionHandler c = dirty.get(i);
      c.clearDirty();
      pending.add(c);
    }
    dirty.clear();
  }

  /**
   * The connections one thread's lane runs wrote to. Flushing needs no lane: a transport's flush
   * is thread-safe and sends whatever was written before it.
   */
  private static final class PendingFlushes {
    private final List<ConnectionHandler> connections = new ArrayList<>();
    int depth;

    void add(ConnectionHandler c) {
      int n = connections.size();
      // Successive in-place deliveries usually write to the same subscriber
      if (n == 0 || connections.get(n - 1) != c) {
        connections.add(c);
      }
    }

    void leave() {
      if (--depth > 0) {
        return;
      }
      for (int i = 0; i < connections.size(); i++) {
        ConnectionHandler c = connections.get(i);
        try {
          c.flush();
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "Flush failed for " + c, e);
        }
      }
      connections.clear();
    }
  }
}
