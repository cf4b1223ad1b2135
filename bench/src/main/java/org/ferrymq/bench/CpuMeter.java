package org.ferrymq.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of the generator itself (so that a generator-limited result shows) and, when its
 * process id is known, of the broker, read from {@code /proc/<pid>/stat}.
 */
final class CpuMeter {
  /** Linux reports utime and stime in clock ticks of 1/100 s (USER_HZ). */
  private static final long NANOS_PER_TICK = 10_000_000L;

  private final long brokerPid;
  private long startWall;
  private long startSelf;
  private long startBroker;
  private long wall;
  private long self;
  private long broker;

  CpuMeter(long brokerPid) {
    this.brokerPid = brokerPid;
  }

  void start() {
    startWall = System.nanoTime();
    startSelf = selfCpuNanos();
    startBroker = brokerCpuNanos(brokerPid);
  }

  void stop() {
    wall = System.nanoTime() - startWall;
    self = selfCpuNanos() - startSelf;
    long b = brokerCpuNanos(brokerPid);
    broker = b < 0 || startBroker < 0 ? -1 : b - startBroker;
  }

  /** @return generator CPU in percent of one core over the measured interval */
  double selfPercent() {
    return wall == 0 ? 0 : 100.0 * self / wall;
  }

  /** @return broker CPU in percent of one core, or -1 when unknown */
  double brokerPercent() {
    return broker < 0 || wall == 0 ? -1 : 100.0 * broker / wall;
  }

  void addTo(Result r) {
    r.put("gen_cpu_pct", selfPercent(), 0);
    if (broker >= 0) {
      r.put("broker_cpu_pct", brokerPercent(), 0);
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
