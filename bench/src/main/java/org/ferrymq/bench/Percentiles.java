package org.ferrymq.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds and their nearest-rank percentiles. */
final class Percentiles {
  private long[] samples;
  private int count;
  private boolean sorted;

  Percentiles(int expected) {
    samples = new long[Math.max(16, expected)];
  }

  /** Adds a sample; called by one thread. */
  void add(long nanos) {
    if (count == samples.length) {
      samples = Arrays.copyOf(samples, count * 2);
    }
    samples[count++] = nanos;
    sorted = false;
  }

  int count() {
    return count;
  }

  /**
   * Nearest-rank percentile: the smallest sample with at least {@code p} percent of the samples
   * at or below it.
   *
   * @param p percentile in (0, 100]
   * @return the sample, or -1 when there are none
   */
  long percentile(double p) {
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
    }
    if (count == 0) {
      return -1;
    }
    if (!sorted) {
      Arrays.sort(samples, 0, count);
      sorted = true;
    }
    // 99.9 is not exact in binary: without the tolerance 0.999 * 1000 rounds up to rank 1000
    int rank = (int) Math.ceil(p / 100.0 * count - 1e-9);
    return samples[Math.max(0, Math.min(count, rank) - 1)];
  }
}
