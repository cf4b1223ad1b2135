package org.ferrymq.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One subscribing client of the soak, across its connections: records which message of which
 * publisher of its group arrived, and keeps the receiver's QoS 2 state of its session
 * [MQTT-4.3.3-2]:
 * a PUBLISH re-sent with a packet identifier it has answered with PUBREC but not yet seen
 * released is the same message, not a new delivery. Any other QoS 2 message that arrives twice is
 * a duplicate the broker delivered.
 *
 * <p>Concurrency: the reader thread of the current connection records; the soak reads counts at
 * the end. Methods are synchronized.
 */
final class SoakSubscriber implements BenchClient.Handler, Receiver {
  private final SequenceSet[] receivedFrom;
  private final Set<Integer> awaitingRelease = new HashSet<>();
  private final List<Long> qos2Duplicates = new ArrayList<>();
  private boolean sessionLost;

  /** @param publishers publishers of the group, numbered from 0 */
  SoakSubscriber(int publishers) {
    receivedFrom = new SequenceSet[publishers];
    for (int i = 0; i < publishers; i++) {
      receivedFrom[i] = new SequenceSet();
    }
  }

  /** Takes a new connection; a broker that lost the session also lost the QoS 2 state. */
  synchronized void attach(BenchClient c) {
    if (!c.sessionPresent()) {
      awaitingRelease.clear();
    }
    c.startReader(this);
  }

  /** Notes that the broker answered a reconnect without the session: the subscription is gone. */
  synchronized void sessionLost() {
    sessionLost = true;
  }

  synchronized boolean lostSession() {
    return sessionLost;
  }

  @Override
  public synchronized void packet(BenchClient c, int firstByte, byte[] buf, int off, int len)
      throws IOException {
    int type = Packets.type(firstByte);
    if (type == Packets.PUBLISH) {
      int qos = Packets.publishQos(firstByte);
      int id = qos > 0 ? Packets.publishPacketId(buf, off) : 0;
      if (qos < 2 || awaitingRelease.add(id)) {
        long sequence = Payload.sequence(buf, Packets.publishPayloadOffset(buf, off, qos));
        int index = Publisher.indexOf(sequence);
        if (index >= receivedFrom.length) {
          throw new IOException(c.clientId + ": message of unknown publisher " + index);
        }
        if (!receivedFrom[index].add(Publisher.numberOf(sequence)) && qos == 2) {
          qos2Duplicates.add(sequence);
        }
      }
      if (qos == 1) {
        c.sendAck(Packets.PUBACK, id);
      } else if (qos == 2) {
        c.sendAck(Packets.PUBREC, id);
      }
    } else if (type == Packets.PUBREL) {
      int id = Packets.u16(buf, off);
      awaitingRelease.remove(id);
      c.sendAck(Packets.PUBCOMP, id);
    }
  }

  @Override
  public synchronized List<Long> qos2Duplicates() {
    return List.copyOf(qos2Duplicates);
  }

  @Override
  public boolean isWitness() {
    return false;
  }

  @Override
  public SequenceSet receivedFrom(int index) {
    return receivedFrom[index];
  }
}
