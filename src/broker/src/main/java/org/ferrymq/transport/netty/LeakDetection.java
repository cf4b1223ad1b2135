package org.ferrymq.transport.netty;

import io.netty.util.ResourceLeakDetector;

/**
 * Netty's buffer leak detector, off unless the operator asks for it.
 *
 * <p>At Netty's default level ({@code simple}) one buffer allocation in 128 is tracked, and
 * tracking fills in two stack traces (at allocation and at release) on the event loop. A
 * delivery allocates several buffers, so a few per cent of messages paid tens of microseconds
 * for it: the latency run's p99 is made of exactly such a slice (docs/performance.md). Setting
 * {@value #PROPERTY} (for example {@code -Dio.netty.leakDetection.level=advanced} in
 * {@code jvm.options}) keeps Netty's own choice, to hunt a leak; the unit tests run at
 * {@code simple}.
 */
final class LeakDetection {

  /** Netty's own setting, read by {@link ResourceLeakDetector} when its class loads. */
  static final String PROPERTY = "io.netty.leakDetection.level";

  private LeakDetection() {}

  /** Turns the detector off unless {@value #PROPERTY} is set. */
  static void offUnlessAsked() {
    offUnless(System.getProperty(PROPERTY));
  }

  /** @param configured the value of {@value #PROPERTY}, {@code null} when unset */
  static void offUnless(String configured) {
    if (configured == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }
}
