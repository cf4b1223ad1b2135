package org.ferrymq.bench;

import java.util.List;

/**
 * Drives publishers and subscribers through warm-up, the measured window and a drain, and
 * counts what arrived: the timeline every message-flow scenario shares.
 */
final class FlowRun {
  private static final long POLL_MILLIS = 50;
  private static final long QUIET_MILLIS = 1_000;
  private static final long MAX_DRAIN_MILLIS = 10_000;

  /**
   * What one run measured.
   *
   * @param delivered messages received by all subscribers in the measured window
   * @param seconds length of the measured window
   * @param sent messages sent by all publishers in the whole run
   * @param received messages received by all subscribers in the whole run, after the drain
   * @param failures publisher failures, or null
   */
  record Measured(long delivered, double seconds, long sent, long received, String failures) {
    double perSecond() {
      return seconds <= 0 ? 0 : delivered / seconds;
    }
  }

  private FlowRun() {
  }

  /**
   * Runs the flow. Publishers must have been created with a deadline of warm-up plus duration.
   *
   * @param onMeasure called when the measured window starts (e.g. to start latency recording)
   */
  static Measured run(BenchOptions o, List<Subscriber> subscribers, List<Publisher> publishers,
      CpuMeter cpu, Runnable onMeasure) throws InterruptedException {
    publishers.forEach(Publisher::start);
    sleepWhileRunning(publishers, o.warmupSeconds * 1000L);
    long before = received(subscribers);
    onMeasure.run();
    cpu.start();
    long t0 = System.nanoTime();
    sleepWhileRunning(publishers, o.durationSeconds * 1000L);
    long delivered = received(subscribers) - before;
    double seconds = (System.nanoTime() - t0) / 1e9;
    cpu.stop();
    publishers.forEach(Publisher::stop);
    for (Publisher p : publishers) {
      p.awaitAcknowledged(MAX_DRAIN_MILLIS);
    }
    long sent = publishers.stream().mapToLong(Publisher::sent).sum();
    long last = -1;
    long now = received(subscribers);
    long drainEnd = System.currentTimeMillis() + MAX_DRAIN_MILLIS;
    while (now != last && System.currentTimeMillis() < drainEnd) {
      last = now;
      Thread.sleep(QUIET_MILLIS);
      now = received(subscribers);
    }
    String failures = publishers.stream().map(Publisher::failure)
        .filter(f -> f != null).reduce((a, b) -> a + "; " + b).orElse(null);
    return new Measured(delivered, seconds, sent, now, failures);
  }

  private static long received(List<Subscriber> subscribers) {
    return subscribers.stream().mapToLong(Subscriber::received).sum();
  }

  private static void sleepWhileRunning(List<Publisher> publishers, long millis)
      throws InterruptedException {
    long end = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < end && !publishers.stream().allMatch(Publisher::isDone)) {
      Thread.sleep(Math.min(POLL_MILLIS, Math.max(1, end - System.currentTimeMillis())));
    }
  }
}
