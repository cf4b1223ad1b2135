package org.ferrymq.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts received PUBLISH packets and acknowledges QoS 1 and 2 as a client must; records which
 * message of which publisher arrived (from the publisher number and message number in the
 * payload, see {@link Publisher}), so that duplicates and missing messages show; optionally
 * records the end-to-end latency from the payload timestamp.
 */
final class Subscriber implements BenchClient.Handler {
  private final Percentiles latencies;
  private final SequenceSet[] receivedFrom;
  private volatile long received;
  private volatile boolean recording;
  private volatile Publisher[] publishers = new Publisher[0];

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
      if (latencies != null && recording) {
        long now = System.nanoTime();
        long sentAt = Payload.nanos(buf, payload);
        synchronized (latencies) {
          latencies.add(now - sentAt);
        }
      }
      long sequence = Payload.sequence(buf, payload);
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
      if (qos == 1) {
        c.sendAck(Packets.PUBACK, Packets.publishPacketId(buf, off));
      } else if (qos == 2) {
        c.sendAck(Packets.PUBREC, Packets.publishPacketId(buf, off));
      }
    } else if (type == Packets.PUBREL) {
      c.sendAck(Packets.PUBCOMP, Packets.u16(buf, off));
    }
  }
}
