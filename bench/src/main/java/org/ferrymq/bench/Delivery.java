package org.ferrymq.bench;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * What a message flow delivered, checked message by message against what the broker promised.
 * For QoS 1 and 2 a message counts as acknowledged when its publisher received the PUBACK
 * (QoS 1) or PUBREC (QoS 2) with a success code; every subscriber of the flow must then
 * receive it. One that is acknowledged and missing at a subscriber after the drain is
 * {@code lost} (counted once per subscriber that misses it), and a QoS 2 message received twice
 * by one subscriber breaks the exactly-once promise. Either makes the run {@link #failed()}: its
 * throughput is not a result. QoS 0 promises nothing, so there {@code lost} is simply the
 * messages sent times the subscribers minus those received.
 *
 * @param qos the flow's QoS level
 * @param sent messages sent by all publishers
 * @param acked messages the broker acknowledged (-1 for QoS 0, which has no acknowledgement)
 * @param received different messages received, summed over the subscribers
 * @param duplicates messages received again by a subscriber that already had them
 * @param lost see above
 * @param lostSample up to {@value #SAMPLE} lost messages as {@code s<subscriber>/p<publisher>/
 *     n<number>}, comma-separated, for finding them in a broker's log; empty if none
 */
record Delivery(int qos, long sent, long acked, long received, long duplicates, long lost,
    String lostSample) {
  static final int SAMPLE = 5;

  /**
   * Counts a flow.
   *
   * @param acknowledged per publisher (by index), the sequence numbers the broker acknowledged;
   *     ignored for QoS 0
   * @param received per subscriber, per publisher index, the sequence numbers it received
   */
  static Delivery count(int qos, long sent, List<SequenceSet> acknowledged,
      List<List<SequenceSet>> received) {
    long unique = 0;
    long duplicates = 0;
    for (List<SequenceSet> bySubscriber : received) {
      for (SequenceSet s : bySubscriber) {
        unique += s.count();
        duplicates += s.duplicates();
      }
    }
    if (qos == 0) {
      return new Delivery(qos, sent, -1, unique, duplicates,
          Math.max(0, sent * received.size() - unique), "");
    }
    long acked = 0;
    long lost = 0;
    List<String> sample = new ArrayList<>();
    for (int p = 0; p < acknowledged.size(); p++) {
      BitSet a = acknowledged.get(p).snapshot();
      acked += a.cardinality();
      for (int s = 0; s < received.size(); s++) {
        List<SequenceSet> bySubscriber = received.get(s);
        BitSet missing = (BitSet) a.clone();
        if (p < bySubscriber.size()) {
          missing.andNot(bySubscriber.get(p).snapshot());
        }
        lost += missing.cardinality();
        for (int n = missing.nextSetBit(0); n >= 0 && sample.size() < SAMPLE;
            n = missing.nextSetBit(n + 1)) {
          sample.add("s" + s + "/p" + p + "/n" + n);
        }
      }
    }
    return new Delivery(qos, sent, acked, unique, duplicates, lost, String.join(",", sample));
  }

  /**
   * @return true when the broker broke its promise: an acknowledged QoS 1/2 message was lost,
   *     or a QoS 2 message arrived twice
   */
  boolean failed() {
    return qos > 0 && (lost > 0 || qos == 2 && duplicates > 0);
  }

  /** Adds acked (QoS 1/2), received, duplicates, lost and status (ok or FAILED) to a result. */
  void addTo(Result r) {
    if (qos > 0) {
      r.put("acked", acked);
    }
    r.put("received", received).put("duplicates", duplicates).put("lost", lost)
        .put("status", failed() ? "FAILED" : "ok");
    if (!lostSample.isEmpty()) {
      r.put("lost_sample", lostSample);
    }
  }
}
