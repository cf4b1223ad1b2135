package org.ferrymq.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Durations counted into fixed buckets, the shape Prometheus histograms and Grafana's
 * {@code histogram_quantile} read. One thread writes at a time (a lane, or the store's commit
 * loop), so recording is two plain adds with opaque stores: no atomic instruction on the hot
 * path. Any thread may take a {@link #snapshot()}; each value is whole and recent.
 */
public final class LatencyHistogram {

  /** Upper bounds of the buckets in microseconds; a last bucket takes everything above. */
  static final long[] BOUNDS_MICROS = {50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000,
      50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000};
  private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle SUM;

  static {
    try {
      SUM = MethodHandles.lookup().findVarHandle(LatencyHistogram.class, "sumMicros",
          long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final long[] counts = new long[BOUNDS_MICROS.length + 1];
  private long sumMicros;

  /** Counts one duration; a negative one (a clock step) counts as 0. */
  public void record(long nanos) {
    long micros = Math.max(0, nanos / 1000);
    int i = bucketOf(micros);
    COUNTS.setOpaque(counts, i, counts[i] + 1);
    SUM.setOpaque(this, sumMicros + micros);
  }

  /** @return the counts now */
  public LatencySnapshot snapshot() {
    long[] copy = new long[counts.length];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = (long) COUNTS.getOpaque(counts, i);
    }
    return new LatencySnapshot(copy, (long) SUM.getOpaque(this));
  }

  private static int bucketOf(long micros) {
    int lo = 0;
    int hi = BOUNDS_MICROS.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (micros <= BOUNDS_MICROS[mid]) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }
}
