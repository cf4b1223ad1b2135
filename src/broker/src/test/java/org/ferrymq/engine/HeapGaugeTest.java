package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How the gauge treats a young collection's figure, which still counts the old garbage. */
class HeapGaugeTest {
  private static final long MAX = 1000;

  private final AtomicLong current = new AtomicLong();
  private final AtomicLong clock = new AtomicLong();
  private final AtomicInteger fullCollections = new AtomicInteger();
  private final HeapGauge gauge = new HeapGauge(MAX, 0.75, current::get, () -> {
    fullCollections.incrementAndGet();
    current.set(200); // what a full collection leaves: the live set
  }, clock::get);

  @Test
  void beforeAnyCollectionItReadsTheCurrentUse() {
    current.set(900);
    assertEquals(0.9, gauge.getAsDouble(), 1e-9);
    assertEquals(0, fullCollections.get());
  }

  @Test
  void aFullCollectionsFigureIsTakenAsItIs() {
    gauge.collected(true, 950);
    assertEquals(0.95, gauge.getAsDouble(), 1e-9);
    assertEquals(0, fullCollections.get());
  }

  @Test
  void aYoungCollectionsFigureBelowTheMarkIsTakenAsItIs() {
    gauge.collected(false, 700);
    assertEquals(0.7, gauge.getAsDouble(), 1e-9);
    assertEquals(0, fullCollections.get());
  }

  @Test
  void aYoungCollectionsFigureAboveTheMarkIsConfirmedByAFullCollection() {
    gauge.collected(false, 800);
    assertEquals(0.2, gauge.getAsDouble(), 1e-9);
    assertEquals(1, fullCollections.get());
    // the confirmed figure stands until the next collection reports
    assertEquals(0.2, gauge.getAsDouble(), 1e-9);
    assertEquals(1, fullCollections.get());
  }

  @Test
  void fullCollectionsAreAskedForAtMostOncePerInterval() {
    gauge.collected(false, 800);
    gauge.getAsDouble();
    clock.addAndGet(TimeUnit.SECONDS.toNanos(HeapGauge.CONFIRM_INTERVAL) - 1);
    gauge.collected(false, 850);
    assertEquals(0.85, gauge.getAsDouble(), 1e-9, "within the interval: the young figure");
    assertEquals(1, fullCollections.get());

    clock.addAndGet(1);
    assertEquals(0.2, gauge.getAsDouble(), 1e-9);
    assertEquals(2, fullCollections.get());
  }
}
