package org.ferrymq.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  private static int bucketOfBound(double seconds) {
    for (int i = 0; i < LatencySnapshot.buckets(); i++) {
      if (LatencySnapshot.upperBoundSeconds(i) == seconds) {
        return i;
      }
    }
    throw new AssertionError("no bucket with bound " + seconds);
  }

  @Test
  void aDurationCountsInTheFirstBucketWhoseBoundItDoesNotExceed() {
    LatencyHistogram sut = new LatencyHistogram();

    sut.record(TimeUnit.MICROSECONDS.toNanos(50)); // on the bound: le="0.00005"
    sut.record(TimeUnit.MICROSECONDS.toNanos(51));
    sut.record(TimeUnit.MILLISECONDS.toNanos(3));
    sut.record(TimeUnit.SECONDS.toNanos(60)); // above every bound

    LatencySnapshot s = sut.snapshot();
    assertEquals(1, s.cumulative(bucketOfBound(0.00005)));
    assertEquals(2, s.cumulative(bucketOfBound(0.0001)));
    assertEquals(2, s.cumulative(bucketOfBound(0.0025)));
    assertEquals(3, s.cumulative(bucketOfBound(0.005)));
    assertEquals(3, s.cumulative(bucketOfBound(10)));
    assertEquals(4, s.count(), "the last bucket is +Inf");
    assertEquals(Double.POSITIVE_INFINITY,
        LatencySnapshot.upperBoundSeconds(LatencySnapshot.buckets() - 1));
    assertEquals(50 + 51 + 3_000 + 60_000_000, s.sumMicros());
  }

  @Test
  void aNegativeDurationFromAClockStepCountsAsZero() {
    LatencyHistogram sut = new LatencyHistogram();

    sut.record(-5_000);

    assertEquals(1, sut.snapshot().cumulative(0));
    assertEquals(0, sut.snapshot().sumMicros());
  }

  @Test
  void snapshotsAddUpAndAreNotChangedByLaterRecords() {
    LatencyHistogram a = new LatencyHistogram();
    LatencyHistogram b = new LatencyHistogram();
    a.record(1_000_000);
    LatencySnapshot before = a.snapshot();
    b.record(2_000_000);
    b.record(2_000_000);

    a.record(1_000_000);
    LatencySnapshot total = before.plus(b.snapshot());

    assertEquals(1, before.count());
    assertEquals(3, total.count());
    assertEquals(1_000 + 4_000, total.sumMicros());
    assertEquals(LatencySnapshot.EMPTY, LatencySnapshot.EMPTY.plus(LatencySnapshot.EMPTY));
  }

  @Test
  void aSnapshotHasExactlyTheHistogramsBuckets() {
    assertThrows(IllegalArgumentException.class, () -> new LatencySnapshot(new long[3], 0));
  }
}
