package org.ferrymq.bench;

import static org.awaitility.Awaitility.await;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What the JVM holds: heap used after full collections, live threads and open file descriptors.
 * The soak compares them before the clients connect and after they left and their sessions
 * ended, with these tolerances:
 *
 * <ul>
 *   <li>{@link #HEAP_TOLERANCE}, 64 MiB: after the run the MVStore page cache (16 MiB by default)
 *       is full where it was empty, Netty's pooled arenas and thread caches hold chunks, and the
 *       JIT's profile data grew; a leak of the soak's state would be far larger: every session
 *       of a 2,000-client run holds its subscription, queue and in-flight maps, and every
 *       delivered message its payload.
 *   <li>{@link #THREAD_TOLERANCE}, 5: JUnit, Awaitility and the JDK (e.g. the reference
 *       handler's helpers) start a few threads of their own; one leaked per client or per
 *       connection would show as hundreds.
 *   <li>{@link #FD_TOLERANCE}, 16: jar files opened by class loading during the run; one leaked
 *       socket per connection would show as thousands.
 * </ul>
 */
record Resources(long heapBytes, int threads, long fileDescriptors) {
  static final long HEAP_TOLERANCE = 64L << 20;
  static final int THREAD_TOLERANCE = 5;
  static final long FD_TOLERANCE = 16;
  private static final int COLLECTIONS = 3;

  /** @return heap in use now, garbage included */
  static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Collects garbage a few times, then measures. */
  static Resources measure() {
    for (int i = 0; i < COLLECTIONS; i++) {
      System.gc();
    }
    long fds = ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean u
        ? u.getOpenFileDescriptorCount() : -1;
    return new Resources(heapUsed(), ManagementFactory.getThreadMXBean().getThreadCount(), fds);
  }

  /**
   * Measures until heap, threads and descriptors are back within tolerance of {@code baseline}
   * (closed sockets and idle pool threads take a while to go), for at most 90 s.
   *
   * @return the last measurement, within tolerance or not
   */
  static Resources settle(Resources baseline) {
    AtomicReference<Resources> last = new AtomicReference<>(measure());
    try {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
          .until(() -> baseline.covers(last.updateAndGet(r -> measure())));
    } catch (ConditionTimeoutException e) {
      // the caller's checks name what stayed above the baseline
    }
    return last.get();
  }

  /** @return whether {@code later} is within tolerance of this baseline */
  boolean covers(Resources later) {
    return later.heapBytes <= heapBytes + HEAP_TOLERANCE
        && later.threads <= threads + THREAD_TOLERANCE
        && later.fileDescriptors <= fileDescriptors + FD_TOLERANCE;
  }
}
