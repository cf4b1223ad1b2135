package org.ferrymq.bench;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * The figures of one soak run. Per QoS level (index 0..2): messages published, acknowledged by
 * the broker (PUBACK for QoS 1, PUBCOMP for QoS 2; none for QoS 0), refused with a failure
 * reason code, delivered (different messages, summed over the subscribers), delivered again
 * (duplicates) and lost: acknowledged but missing at a subscriber of the group after the drain,
 * counted once per subscriber that misses it. QoS 0 promises nothing, so it has no losses.
 */
record SoakReport(Soak.Settings settings, int clients, double publishSeconds, String fault,
    long connects, long reconnects, long abruptDrops, long endedByBroker, long connectFailures,
    String firstConnectError, long subscriberSessionsLost, long publisherSessionsLost,
    long[] published, long[] acked, long[] refused, long[] delivered, long[] duplicates,
    long[] lost, long[] lostDuringFault, List<String> lostSample, String qos2DuplicateDetail,
    int sessionsLeft,
    Resources baseline, long peakHeap, Resources end) {

  private static final int SAMPLE = 3;
  private static final double MIB = 1 << 20;

  /** @return the run's figures, one line each, for the log and docs/reliability.md */
  String summary() {
    StringBuilder b = new StringBuilder("Soak summary\n");
    b.append(String.format("  run: %d clients (tcp and ws, %d subscribers per group of 3"
            + " publishers, 4 Paho subscribers in the first groups), %.0f s publishing at"
            + " %.1f msg/s per publisher, mean life %.0f s%n",
        clients, Soak.SUBSCRIBERS_PER_GROUP, publishSeconds, settings.ratePerPublisher(),
        settings.meanLifeSeconds()));
    b.append("  store fault: ").append(fault).append('\n');
    b.append(String.format("  connections: %d connects, %d reconnects, %d abrupt drops, %d ended"
            + " by the broker, %d connect failures%s%n", connects, reconnects, abruptDrops,
        endedByBroker, connectFailures,
        firstConnectError == null ? "" : " (first: " + firstConnectError + ")"));
    b.append(String.format("  sessions lost on reconnect: %d subscribers, %d publishers;"
        + " sessions left after cleaning: %d%n", subscriberSessionsLost, publisherSessionsLost,
        sessionsLeft));
    for (int q = 0; q < 3; q++) {
      b.append(String.format("  QoS %d: published %d, acked %s, refused %d, delivered %d,"
              + " duplicates %d, lost %s%n", q, published[q], q == 0 ? "-" : acked[q],
          refused[q], delivered[q], duplicates[q],
          q == 0 ? "-" : lost[q] + " (" + lostDuringFault[q] + " sent while the store failed)"));
    }
    if (duplicates[2] > 0) {
      b.append("  QoS 2 duplicates: ").append(qos2DuplicateDetail).append('\n');
    }
    if (!lostSample.isEmpty()) {
      b.append("  lost sample: ").append(lostSample).append('\n');
    }
    b.append(String.format("  heap: baseline %.1f MiB, peak %.1f MiB, end %.1f MiB%n",
        baseline.heapBytes() / MIB, peakHeap / MIB, end.heapBytes() / MIB));
    b.append(String.format("  threads: baseline %d, end %d; file descriptors: baseline %d,"
        + " end %d%n", baseline.threads(), end.threads(), baseline.fileDescriptors(),
        end.fileDescriptors()));
    return b.toString();
  }

  /** Collects the figures while the soak runs; not thread-safe. */
  static final class Builder {
    private Soak.Settings settings;
    private int clients;
    private double publishSeconds;
    private String fault;
    private long connects;
    private long reconnects;
    private long abruptDrops;
    private long endedByBroker;
    private long connectFailures;
    private String firstConnectError;
    private long subscriberSessionsLost;
    private long publisherSessionsLost;
    private final long[] published = new long[3];
    private final long[] acked = new long[3];
    private final long[] refused = new long[3];
    private final long[] delivered = new long[3];
    private final long[] duplicates = new long[3];
    private final long[] lost = new long[3];
    private final long[] lostDuringFault = new long[3];
    private final List<String> lostSample = new ArrayList<>();
    private final int[] sampled = new int[3];
    private long qos2DuplicatesDuringFault;
    private long qos2DuplicatesAtWitnesses;
    private final List<String> qos2DuplicateSample = new ArrayList<>();
    private int sessionsLeft;
    private Resources baseline;
    private long peakHeap;
    private Resources end;

    Builder published(int qos, long sent, long acknowledged, long refusedByBroker,
        long sessionsLost) {
      published[qos] += sent;
      acked[qos] += acknowledged;
      refused[qos] += refusedByBroker;
      publisherSessionsLost += sessionsLost;
      return this;
    }

    /**
     * @param missing the acknowledged messages of one publisher that one subscriber lacks
     * @param duringFault whether the publisher sent a message (by number) while the store failed
     */
    Builder delivered(int qos, long different, long again, BitSet missing,
        LongPredicate duringFault) {
      delivered[qos] += different;
      duplicates[qos] += again;
      if (qos > 0) {
        lost[qos] += missing.cardinality();
        for (int n = missing.nextSetBit(0); n >= 0; n = missing.nextSetBit(n + 1)) {
          boolean inFault = duringFault.test(n);
          if (inFault) {
            lostDuringFault[qos]++;
          }
          if (sampled[qos]++ < SAMPLE) {
            lostSample.add("QoS " + qos + " #" + n + (inFault ? " (fault)" : ""));
          }
        }
      }
      return this;
    }

    /** Classifies one QoS 2 message delivered twice to one session. */
    Builder qos2Duplicate(long number, boolean sentDuringFault, boolean atWitness) {
      if (sentDuringFault) {
        qos2DuplicatesDuringFault++;
      }
      if (atWitness) {
        qos2DuplicatesAtWitnesses++;
      }
      if (qos2DuplicateSample.size() < SAMPLE) {
        qos2DuplicateSample.add("#" + number + (sentDuringFault ? " (fault)" : "")
            + (atWitness ? " (Paho)" : ""));
      }
      return this;
    }

    /** @return acknowledged QoS 1/2 messages still missing at a subscriber */
    long missing() {
      return lost[1] + lost[2];
    }

    Builder settings(Soak.Settings value, int clientCount, double seconds, String faultSummary) {
      settings = value;
      clients = clientCount;
      publishSeconds = seconds;
      fault = faultSummary;
      return this;
    }

    Builder connections(long connectCount, long reconnectCount, long drops, long brokerEnded,
        long failures, String firstError, long subscriberSessions) {
      connects = connectCount;
      reconnects = reconnectCount;
      abruptDrops = drops;
      endedByBroker = brokerEnded;
      connectFailures = failures;
      firstConnectError = firstError;
      subscriberSessionsLost = subscriberSessions;
      return this;
    }

    Builder sessionsLeft(int count) {
      sessionsLeft = count;
      return this;
    }

    Builder resources(Resources before, long peak, Resources after) {
      baseline = before;
      peakHeap = peak;
      end = after;
      return this;
    }

    SoakReport build() {
      return new SoakReport(settings, clients, publishSeconds, fault, connects, reconnects,
          abruptDrops, endedByBroker, connectFailures, firstConnectError,
          subscriberSessionsLost, publisherSessionsLost, published, acked, refused, delivered,
          duplicates, lost, lostDuringFault, List.copyOf(lostSample),
          qos2DuplicatesDuringFault + " sent while the store failed, "
              + qos2DuplicatesAtWitnesses + " at Paho subscribers; sample "
              + qos2DuplicateSample, sessionsLeft, baseline,
          peakHeap, end);
    }
  }
}
