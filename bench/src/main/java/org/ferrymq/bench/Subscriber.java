package org.ferrymq.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Counts received PUBLISH packets and acknowledges QoS 1 and 2 as a client must; records which
 * message of which publisher arrived (from the publisher number and message number in the
 * payload, see {@link Publisher}), so that duplicates and missing messages show; optionally
 * records the end-to-end latency from the payload timestamp. A {@link SubscriptionProbe}
 * message is only noted (its arrival shows the subscription is in effect), never counted.
 */
final class Subscriber implements BenchClient.Handler {
  private final Percentiles latencies;
  private final SequenceSet[] receivedFrom;
  private volatile long received;
  private volatile boolean recording;
  private volatile Publisher[] publishers = new Publisher[0];
  private final CountDownLatch probed = new CountDownLatch(1);

  /**
   * @param latencies where to record latencies while {@link #record} is on, or {@code null}
   * @param publisherCount publishers of the flow, numbered from 0
   */
  Subscriber(Percentiles latencies, int publisherCount) {
    this.latencies = latencies;
    this.receivedFrom = new SequenceSet[publisherCount];
    for (int i = 0; i < publisherCount; i++) {
      receivedFrom[i] = new SequenceSet();
    }
  }

  /** Reports each receipt to its publisher (by the index in the payload), for closed loops. */
  void reportTo(List<Publisher> list) {
    publishers = list.toArray(new Publisher[0]);
  }

  /** @return messages received, not counting duplicates */
  long received() {
    return received;
  }

  /** @return per publisher number, the message numbers received from it */
  List<SequenceSet> receivedFrom() {
    return List.of(receivedFrom);
  }

  /** @return how many of {@code publisher}'s messages arrived (each once) */
  long receivedFrom(int publisher) {
    return receivedFrom[publisher].count();
  }

  /** @return messages received again, over all publishers */
  long duplicates() {
    long d = 0;
    for (SequenceSet s : receivedFrom) {
      d += s.duplicates();
    }
    return d;
  }

  /** @return whether a probe arrived within {@code millis} (or before) */
  boolean awaitProbe(long millis) throws InterruptedException {
    return probed.await(millis, TimeUnit.MILLISECONDS);
  }

  void record(boolean on) {
    recording = on;
  }

  /** @return the message counts of several subscribers, as {@link Delivery#count} takes them */
  static List<List<SequenceSet>> receivedBy(List<Subscriber> subscribers) {
    List<List<SequenceSet>> list = new ArrayList<>();
    for (Subscriber s : subscribers) {
      list.add(s.receivedFrom());
    }
    return list;
  }

  @Override
  public void packet(BenchClient c, int firstByte, byte[] buf, int off, int len)
      throws IOException {
    int type = Packets.type(firstByte);
    if (type == Packets.PUBLISH) {
      int qos = Packets.publishQos(firstByte);
      int payload = Packets.publishPayloadOffset(buf, off, qos);
      long sequence = Payload.sequence(buf, payload);
      if (Publisher.indexOf(sequence) == SubscriptionProbe.INDEX) {
        probed.countDown();
      } else {
        count(Payload.nanos(buf, payload), sequence);
      }
      if (qos == 1) {
        c.sendAck(Packets.PUBACK, Packets.publishPacketId(buf, off));
      } else if (qos == 2) {
        c.sendAck(Packets.PUBREC, Packets.publishPacketId(buf, off));
      }
    } else if (type == Packets.PUBREL) {
      c.sendAck(Packets.PUBCOMP, Packets.u16(buf, off));
    }
  }

  private void count(long sentAt, long sequence) {
    if (latencies != null && recording) {
      long now = System.nanoTime();
      synchronized (latencies) {
        latencies.add(now - sentAt);
      }
    }
    int index = Publisher.indexOf(sequence);
    long number = Publisher.numberOf(sequence);
    boolean first = true;
    if (index < receivedFrom.length && number <= Integer.MAX_VALUE) {
      first = receivedFrom[index].add(number);
    }
    if (first) {
      Publisher[] pubs = publishers;
      if (index < pubs.length) {
        pubs[index].delivered();
      }
      // single writer (the reader thread), so a volatile increment is exact
      received = received + 1;
    }
  }
}
