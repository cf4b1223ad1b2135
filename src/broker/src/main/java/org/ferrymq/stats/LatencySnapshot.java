package org.ferrymq.stats;

import java.util.Arrays;

/**
 * The counts of a {@link LatencyHistogram} at one moment, or of several added up.
 *
 * @param bucketCounts durations per bucket, not cumulative; the last bucket is above every bound
 * @param sumMicros all durations added up, in microseconds
 */
public record LatencySnapshot(long[] bucketCounts, long sumMicros) {

  public static final LatencySnapshot EMPTY =
      new LatencySnapshot(new long[LatencyHistogram.BOUNDS_MICROS.length + 1], 0);

  public LatencySnapshot {
    if (bucketCounts.length != LatencyHistogram.BOUNDS_MICROS.length + 1) {
      throw new IllegalArgumentException("expected " + (LatencyHistogram.BOUNDS_MICROS.length + 1)
          + " buckets, got " + bucketCounts.length);
    }
    bucketCounts = bucketCounts.clone();
  }

  /** @return how many buckets there are, the last one unbounded */
  public static int buckets() {
    return LatencyHistogram.BOUNDS_MICROS.length + 1;
  }

  /** @return the upper bound of bucket {@code i} in seconds, or infinity for the last one */
  public static double upperBoundSeconds(int i) {
    return i < LatencyHistogram.BOUNDS_MICROS.length
        ? LatencyHistogram.BOUNDS_MICROS[i] / 1e6 : Double.POSITIVE_INFINITY;
  }

  /** @return durations at or below the upper bound of bucket {@code i} (Prometheus' le) */
  public long cumulative(int i) {
    long total = 0;
    for (int b = 0; b <= i; b++) {
      total += bucketCounts[b];
    }
    return total;
  }

  /** @return all durations counted */
  public long count() {
    return cumulative(bucketCounts.length - 1);
  }

  /** @return this plus {@code other} */
  public LatencySnapshot plus(LatencySnapshot other) {
    long[] sum = bucketCounts.clone();
    for (int i = 0; i < sum.length; i++) {
      sum[i] += other.bucketCounts[i];
    }
    return new LatencySnapshot(sum, sumMicros + other.sumMicros);
  }

  @Override
  public long[] bucketCounts() {
    return bucketCounts.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LatencySnapshot s && s.sumMicros == sumMicros
        && Arrays.equals(s.bucketCounts, bucketCounts);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(bucketCounts) + Long.hashCode(sumMicros);
  }

  @Override
  public String toString() {
    return "LatencySnapshot" + Arrays.toString(bucketCounts) + " sum " + sumMicros + " us";
  }
}
