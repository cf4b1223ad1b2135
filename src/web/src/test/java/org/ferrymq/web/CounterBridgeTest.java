package org.ferrymq.web;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.metrics.Counter;
import org.junit.jupiter.api.Test;

class CounterBridgeTest {

  /** A counter as MicroProfile Metrics defines it: it only goes up. */
  private static final class UpOnly implements Counter {
    private final AtomicLong count = new AtomicLong();

    @Override
    public void inc() {
      inc(1);
    }

    @Override
    public void inc(long n) {
      if (n < 0) {
        throw new IllegalArgumentException("a counter never goes down: " + n);
      }
      count.addAndGet(n);
    }

    @Override
    public long getCount() {
      return count.get();
    }
  }

  @Test
  void aCounterStartsAtTheCountAndFollowsItsGrowth() {
    AtomicLong count = new AtomicLong(40);
    UpOnly counter = new UpOnly();
    try (CounterBridge bridge = new CounterBridge()) {
      bridge.feed(counter, count::get);
      assertEquals(40, counter.getCount(), "at once, the count so far");

      count.addAndGet(2);
      bridge.sync();
      assertEquals(42, counter.getCount());
    }
  }

  @Test
  void aCountThatFallsBackIsANewBaseAndTheCounterNeverGoesDown() {
    AtomicLong count = new AtomicLong(100);
    UpOnly counter = new UpOnly();
    try (CounterBridge bridge = new CounterBridge()) {
      bridge.feed(counter, count::get);

      count.set(3); // the broker restarted inside the server
      bridge.sync();
      assertEquals(100, counter.getCount());

      count.set(10);
      bridge.sync();
      assertEquals(107, counter.getCount(), "the 7 counted since the restart are added");
    }
  }

  @Test
  void theBridgeSyncsByItselfEverySecond() {
    AtomicLong count = new AtomicLong();
    UpOnly counter = new UpOnly();
    try (CounterBridge bridge = new CounterBridge()) {
      bridge.feed(counter, count::get);
      count.set(5);

      await().atMost(Duration.ofSeconds(5)).until(() -> counter.getCount() == 5);
    }
  }

  @Test
  void aSnapshotReadByManyCountersIsTakenOncePerSync() {
    AtomicLong taken = new AtomicLong();
    AtomicLong count = new AtomicLong(1);
    UpOnly first = new UpOnly();
    UpOnly second = new UpOnly();
    try (CounterBridge bridge = new CounterBridge(Duration.ofHours(1).toMillis())) {
      var snapshot = bridge.oncePerSync(() -> {
        taken.incrementAndGet();
        return count.get();
      });
      bridge.feed(first, snapshot::get);
      bridge.feed(second, () -> snapshot.get() * 10);
      long before = taken.get();

      count.set(3);
      bridge.sync();

      assertEquals(1, taken.get() - before, "one snapshot for both counters");
      assertEquals(3, first.getCount());
      assertEquals(30, second.getCount());
    }
  }

  @Test
  void anUnfedCounterStaysWhereItWasAndATaskRunsBeforeEachSync() {
    AtomicLong count = new AtomicLong(5);
    UpOnly counter = new UpOnly();
    AtomicLong syncs = new AtomicLong();
    try (CounterBridge bridge = new CounterBridge(3_600_000)) {
      bridge.feed(counter, count::get);
      bridge.beforeEachSync(() -> count.set(7 + syncs.getAndIncrement()));

      bridge.sync();
      assertEquals(7, counter.getCount(), "the task ran before the feeds");
      bridge.unfeed(counter);
      bridge.sync();

      assertEquals(7, counter.getCount());
      assertEquals(2, syncs.get());
    }
  }
}
