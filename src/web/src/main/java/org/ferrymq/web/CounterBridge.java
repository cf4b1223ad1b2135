package org.ferrymq.web;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.metrics.Counter;

/**
 * Feeds MicroProfile counters from the broker's own monotonic counts. MicroProfile Metrics has no
 * counter that reads a value (only {@code inc}), and the broker counts on its lanes without
 * calling out (a per-message call into the metrics library would cost the hot path), so once a
 * second each counter is advanced by how much its count grew. A count that went down (the broker
 * restarted inside the server) is taken as the new base; the counter never goes back.
 *
 * <p>Thread-safe: counters are added on the web module's start thread and synced on the bridge's
 * own daemon thread.
 */
final class CounterBridge implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(CounterBridge.class.getName());
  static final long PERIOD_MILLIS = 1000;

  private final List<Feed> feeds = new CopyOnWriteArrayList<>();
  private final List<Runnable> beforeSync = new CopyOnWriteArrayList<>();
  /** Counts syncs, so that a snapshot read by many feeds is taken once per sync. */
  private long generation;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      task -> {
        Thread t = new Thread(task, "ferrymq-metrics");
        t.setDaemon(true);
        return t;
      });

  CounterBridge() {
    this(PERIOD_MILLIS);
  }

  /** @param periodMillis how often it syncs by itself (tests that sync by hand pass hours) */
  CounterBridge(long periodMillis) {
    timer.scheduleAtFixedRate(this::syncGuarded, periodMillis, periodMillis,
        TimeUnit.MILLISECONDS);
  }

  /** Advances {@code counter} by the growth of {@code count} from now on. */
  void feed(Counter counter, LongSupplier count) {
    Feed f = new Feed(counter, count);
    f.sync();
    feeds.add(f);
  }

  /** Stops advancing {@code counter} (its series is about to be removed). */
  void unfeed(Counter counter) {
    feeds.removeIf(f -> f.counter == counter);
  }

  /** Runs {@code task} at the start of every sync, on the bridge's thread. */
  void beforeEachSync(Runnable task) {
    beforeSync.add(task);
  }

  /**
   * @return {@code take}, called at most once per sync however many feeds read it: one broker
   *     snapshot (traffic, flow...) feeds dozens of counters
   */
  <T> Supplier<T> oncePerSync(Supplier<T> take) {
    return new PerSync<>(take);
  }

  /** Brings every counter up to its count now. */
  void sync() {
    synchronized (this) {
      generation++;
    }
    for (Runnable task : beforeSync) {
      task.run();
    }
    for (Feed f : feeds) {
      f.sync();
    }
  }

  private void syncGuarded() {
    try {
      sync();
    } catch (RuntimeException e) {
      // a failing read must not end the schedule, which would freeze every counter
      LOG.log(Level.WARNING, "Updating the broker's counters failed", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  private final class PerSync<T> implements Supplier<T> {
    private final Supplier<T> take;
    private long takenIn = -1;
    private T value;

    PerSync(Supplier<T> take) {
      this.take = take;
    }

    @Override
    public T get() {
      synchronized (CounterBridge.this) {
        if (takenIn != generation) {
          value = take.get();
          takenIn = generation;
        }
        return value;
      }
    }
  }

  private static final class Feed {
    private final Counter counter;
    private final LongSupplier count;
    /** Only the bridge's thread (or the registering thread before it is shared) writes it. */
    private long synced;

    Feed(Counter counter, LongSupplier count) {
      this.counter = counter;
      this.count = count;
    }

    synchronized void sync() {
      long now = count.getAsLong();
      if (now > synced) {
        counter.inc(now - synced);
      }
      synced = now;
    }
  }
}
