package org.ferrymq.bench;

import java.io.IOException;

/**
 * Counts received PUBLISH packets and acknowledges QoS 1 and 2 as a client must; optionally
 * records the end-to-end latency from the payload timestamp.
 */
final class Subscriber implements BenchClient.Handler {
  private volatile long received;
  private final Percentiles latencies;
  private volatile boolean recording;
  private volatile Publisher[] publishers = new Publisher[0];

  /** @param latencies where to record latencies while {@link #record} is on, or {@code null} */
  Subscriber(Percentiles latencies) {
    this.latencies = latencies;
  }

  /** Reports each receipt to its publisher (by the index in the payload), for closed loops. */
  void reportTo(java.util.List<Publisher> list) {
    publishers = list.toArray(new Publisher[0]);
  }

  long received() {
    return received;
  }

  void record(boolean on) {
    recording = on;
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
      Publisher[] pubs = publishers;
      if (pubs.length > 0) {
        int index = Publisher.indexOf(Payload.sequence(buf, payload));
        if (index < pubs.length) {
          pubs[index].delivered();
        }
      }
      // single writer (the reader thread), so a volatile increment is exact
      received = received + 1;
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
