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
}
