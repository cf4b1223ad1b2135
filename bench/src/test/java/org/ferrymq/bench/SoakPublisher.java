package org.ferrymq.bench;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ferrymq.packet.QoS;

/**
 * One publishing client of the soak, across its connections: it keeps its session state as a
 * client with Clean Session 0 must [MQTT-4.4.0-1], so after a reconnect that resumes the session
 * it re-sends each unacknowledged PUBLISH with DUP set and each unanswered PUBREL, and never
 * reuses a packet identifier still in flight. A message counts as acknowledged on PUBACK (QoS 1)
 * or PUBCOMP (QoS 2).
 *
 * <p>Concurrency: the reader thread of the current connection and the soak's ticker call in;
 * every method is synchronized.
 */
final class SoakPublisher implements BenchClient.Handler {
  /** Messages in flight at most, per publisher; well under what a socket buffer holds. */
  private static final int WINDOW = 16;
  private static final int DUP = 0x08;

  final QoS qos;
  private final long sequenceBase;
  private final PublishTemplate template;
  private final SequenceSet acknowledged = new SequenceSet();
  /** Packet identifier to the message in flight with it, in sending order. */
  private final Map<Integer, InFlight> inFlight = new LinkedHashMap<>();
  private BenchClient client;
  private long sent;
  private int packetId;
  private long sessionsLost;
  private long refused;
  private long faultFrom = -1;
  private long faultTo = -1;

  private static final class InFlight {
    final long number;
    /** Send time carried in the payload: a resend must carry the same message [MQTT-4.3.3-10]. */
    final long sentNanos;
    boolean released;

    InFlight(long number, long sentNanos) {
      this.number = number;
      this.sentNanos = sentNanos;
    }
  }

  /** @param index the publisher's number among its group's publishers, carried in the payload */
  SoakPublisher(int index, String topic, QoS qos, int payloadSize) {
    this.qos = qos;
    this.sequenceBase = (long) index << 48;
    this.template = new PublishTemplate(topic, qos, payloadSize);
  }

  /**
   * Takes a new connection: re-sends what is in flight if the broker resumed the session, or
   * forgets it if the broker lost the session (counted).
   */
  synchronized void attach(BenchClient c) throws IOException {
    client = c;
    c.startReader(this);
    if (!c.sessionPresent() && !inFlight.isEmpty()) {
      sessionsLost++;
      inFlight.clear();
    }
    for (Map.Entry<Integer, InFlight> e : inFlight.entrySet()) {
      if (e.getValue().released) {
        c.sendAck(Packets.PUBREL, e.getKey());
      } else {
        write(e.getKey(), e.getValue().number, e.getValue().sentNanos, DUP);
      }
    }
    c.flush();
  }

  synchronized void detach() {
    client = null;
  }

  /** Sends new messages until {@code due} have been sent, within the window. */
  synchronized void publishUpTo(long due) {
    if (client == null) {
      return;
    }
    try {
      long limit = Math.min(due, sent + WINDOW);
      while (sent < limit && (qos == QoS.AT_MOST_ONCE || inFlight.size() < WINDOW)) {
        int id = 0;
        long now = System.nanoTime();
        long number = sent++;
        if (qos != QoS.AT_MOST_ONCE) {
          id = nextPacketId();
          inFlight.put(id, new InFlight(number, now));
        }
        // Counted as sent before the write: if the connection died, the message is in flight
        // and attach resends it with DUP. (Counting after the write sent the same message again
        // under a new packet identifier after a failed write: a duplicate the client made.)
        write(id, number, now, 0);
      }
      client.flush();
    } catch (IOException e) {
      // the connection died under us: the soak's keeper reconnects, attach re-sends
    }
  }

  private int nextPacketId() {
    do {
      packetId = packetId == 0xFFFF ? 1 : packetId + 1;
    } while (inFlight.containsKey(packetId));
    return packetId;
  }

  private void write(int id, long number, long sentNanos, int flags) throws IOException {
    template.set(id, sentNanos, sequenceBase | number);
    template.bytes[0] |= flags;
    try {
      client.send(template.bytes, 0, template.bytes.length);
    } finally {
      template.bytes[0] &= ~flags;
    }
  }

  @Override
  public synchronized void packet(BenchClient c, int firstByte, byte[] buf, int off, int len)
      throws IOException {
    int id = Packets.u16(buf, off);
    boolean failure = len > 2 && (buf[off + 2] & 0xFF) >= 0x80;
    switch (Packets.type(firstByte)) {
      case Packets.PUBACK -> complete(id, failure);
      case Packets.PUBREC -> {
        InFlight m = inFlight.get(id);
        if (failure) {
          complete(id, true);
        } else {
          if (m != null) {
            m.released = true;
          }
          c.sendAck(Packets.PUBREL, id);
        }
      }
      case Packets.PUBCOMP -> complete(id, false);
      default -> {
        // nothing else is sent to a publisher
      }
    }
  }

  private void complete(int id, boolean failure) {
    InFlight m = inFlight.remove(id);
    if (m == null) {
      return;
    }
    if (failure) {
      refused++;
    } else {
      acknowledged.add(m.number);
    }
  }

  /** Notes that the store fault begins: messages from the next one on were sent during it. */
  synchronized void faultBegins() {
    faultFrom = sent;
  }

  synchronized void faultEnds() {
    faultTo = sent;
  }

  /** @return whether message {@code number} was sent while the store failed */
  synchronized boolean sentDuringFault(long number) {
    return faultFrom >= 0 && number >= faultFrom && (faultTo < 0 || number < faultTo);
  }

  synchronized long sent() {
    return sent;
  }

  synchronized int inFlight() {
    return inFlight.size();
  }

  /** @return reconnects the broker answered without the session while messages were in flight */
  synchronized long sessionsLost() {
    return sessionsLost;
  }

  /** @return messages the broker refused with a failure reason code */
  synchronized long refused() {
    return refused;
  }

  /** @return the message numbers the broker acknowledged (empty for QoS 0) */
  SequenceSet acknowledged() {
    return acknowledged;
  }
}
