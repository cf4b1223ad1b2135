package org.ferrymq.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * CPU time of the generator itself (so that a generator-limited result shows) and, when their
 * process ids are known, of the broker's processes (one, or each node of a cluster; summed),
 * read from {@code /proc/<pid>/stat}.
 */
final class CpuMeter {
  /** Linux reports utime and stime in clock ticks of 1/100 s (USER_HZ). */
  private static final long NANOS_PER_TICK = 10_000_000L;

  private final long[] brokerPids;
  private final long[] startBroker;
  /** Per broker process, CPU nanoseconds in the interval, or -1 when unknown. */
  private final long[] broker;
  private long startWall;
  private long startSelf;
  private long wall;
  private long self;

  /** @param brokerPids the broker's processes; none for the generator's CPU only */
  CpuMeter(List<Long> brokerPids) {
    this.brokerPids = brokerPids.stream().mapToLong(Long::longValue).toArray();
    this.startBroker = new long[this.brokerPids.length];
    this.broker = new long[this.brokerPids.length];
  }

  void start() {
    startWall = System.nanoTime();
    startSelf = selfCpuNanos();
    for (int i = 0; i < brokerPids.length; i++) {
      startBroker[i] = brokerCpuNanos(brokerPids[i]);
    }
  }

  void stop() {
    wall = System.nanoTime() - startWall;
    self = selfCpuNanos() - startSelf;
    for (int i = 0; i < brokerPids.length; i++) {
      long b = brokerCpuNanos(brokerPids[i]);
      broker[i] = b < 0 || startBroker[i] < 0 ? -1 : b - startBroker[i];
    }
  }

  /** @return generator CPU in percent of one core over the measured interval */
  double selfPercent() {
    return wall == 0 ? 0 : 100.0 * self / wall;
  }

  /** @return the broker processes' CPU summed, in percent of one core, or -1 when unknown */
  double brokerPercent() {
    long sum = 0;
    for (long b : broker) {
      if (b < 0) {
        return -1;
      }
      sum += b;
    }
    return broker.length == 0 || wall == 0 ? -1 : 100.0 * sum / wall;
  }

  /**
   * Adds gen_cpu_pct and, when known, broker_cpu_pct (summed over the broker processes) and,
   * for several processes, broker_cpu_pct_each ({@code 61/48}, in {@code --broker-pid} order).
   */
  void addTo(Result r) {
    r.put("gen_cpu_pct", selfPercent(), 0);
    double total = brokerPercent();
    if (total >= 0) {
      r.put("broker_cpu_pct", total, 0);
      if (broker.length > 1) {
        r.put("broker_cpu_pct_each", Arrays.stream(broker)
            .mapToObj(b -> String.format(Locale.ROOT, "%.0f", 100.0 * b / wall))
            .collect(Collectors.joining("/")));
      }
    }
  }

  static long selfCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return -1;
  }

  /** @return user plus system CPU time of a process, or -1 if it cannot be read */
  static long brokerCpuNanos(long pid) {
    if (pid <= 0) {
      return -1;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may contain spaces; the fields after it are fixed.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** @return the resident set sizes of processes in KiB, summed, or -1 if one cannot be read */
  static long residentKib(List<Long> pids) {
    long sum = 0;
    for (long pid : pids) {
      long kib = residentKib(pid);
      if (kib < 0) {
        return -1;
      }
      sum += kib;
    }
    return pids.isEmpty() ? -1 : sum;
  }

  /** @return the resident set size of a process in KiB, or -1 if it cannot be read */
  static long residentKib(long pid) {
    if (pid <= 0) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
