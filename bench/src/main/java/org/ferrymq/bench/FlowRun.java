package org.ferrymq.bench;

import java.util.List;

/**
 * Drives publishers and subscribers through warm-up, the measured window and a drain, and
 * counts what arrived: the timeline every message-flow scenario shares.
 */
final class FlowRun {
  private static final long POLL_MILLIS = 50;
  /** Longest drain after the publishers stop, whatever still arrives. */
  static final long MAX_DRAIN_MILLIS = 15_000;

  /**
   * What one run measured.
   *
   * @param delivered messages received by all subscribers in the measured window
   * @param seconds length of the measured window
   * @param delivery what was sent, acknowledged, received and lost in the whole run, after the
   *     drain
   * @param failures publisher failures, or null
   */
  record Measured(long delivered, double seconds, Delivery delivery, String failures) {
    double perSecond() {
      return seconds <= 0 ? 0 : delivered / seconds;
    }
  }

  private FlowRun() {
  }

  /**
   * Runs the flow. Publishers must have been created with a deadline of warm-up plus duration.
   * After they stop, the subscribers keep reading until each has every message sent and
   * acknowledged, or nothing has arrived (nor been acknowledged) for {@code --drain-quiet-ms},
   * or {@value #MAX_DRAIN_MILLIS} ms have passed; then {@link Delivery} compares what was
   * acknowledged with what each subscriber received.
   *
   * @param qos the publishers' QoS level
   * @param onMeasure called when the measured window starts (e.g. to start latency recording)
   */
  static Measured run(BenchOptions o, int qos, List<Subscriber> subscribers,
      List<Publisher> publishers, CpuMeter cpu, Runnable onMeasure) throws InterruptedException {
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
    drain(o.drainQuietMillis, qos, subscribers, publishers);
    long sent = publishers.stream().mapToLong(Publisher::sent).sum();
    List<SequenceSet> acked = publishers.stream().map(Publisher::acknowledged).toList();
    Delivery delivery = Delivery.count(qos, sent, acked, Subscriber.receivedBy(subscribers));
    String failures = publishers.stream().map(Publisher::failure)
        .filter(f -> f != null).reduce((a, b) -> a + "; " + b).orElse(null);
    return new Measured(delivered, seconds, delivery, failures);
  }

  private static void drain(long quietMillis, int qos, List<Subscriber> subscribers,
      List<Publisher> publishers) throws InterruptedException {
    long end = System.currentTimeMillis() + MAX_DRAIN_MILLIS;
    long last = -1;
    long lastProgress = System.currentTimeMillis();
    while (System.currentTimeMillis() < end) {
      boolean stopped = publishers.stream().allMatch(Publisher::isDone);
      if (stopped && complete(qos, subscribers, publishers)) {
        return;
      }
      long progress = received(subscribers);
      for (Publisher p : publishers) {
        progress += p.acknowledged().count() + p.sent();
      }
      long now = System.currentTimeMillis();
      if (progress != last) {
        last = progress;
        lastProgress = now;
      } else if (stopped && now - lastProgress >= quietMillis) {
        return;
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  /**
   * @return true when every message sent is acknowledged (QoS 1/2) and every subscriber has
   *     received every one of them
   */
  static boolean complete(int qos, List<Subscriber> subscribers, List<Publisher> publishers) {
    for (int i = 0; i < publishers.size(); i++) {
      Publisher p = publishers.get(i);
      long sent = p.sent();
      if (qos > 0 && p.acknowledged().count() < sent) {
        return false;
      }
      for (Subscriber s : subscribers) {
        if (s.receivedFrom(i) < sent) {
          return false;
        }
      }
    }
    return true;
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
