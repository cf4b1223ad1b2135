package org.ferrymq.engine;

import java.util.ArrayDeque;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;

/**
 * The inbound acknowledgements of one connection: PUBACK and PUBREC leave in the order the
 * PUBLISH packets arrived [MQTT-4.6.0-2], each once its message is stored, and PUBLISH packets
 * that arrive while the store is failed are held, unacknowledged and in order, until it is back.
 * Counts what MQTT 5's Receive Maximum bounds. Confined to the connection's lane.
 */
final class InboundAcks {
  /**
   * Acknowledgements an MQTT 3 client (which announces no Receive Maximum) may have held back
   * before the broker stops reading from it; each stands for a message already queued to a
   * congested subscriber, so this bounds what one publisher adds beyond that subscriber's queue.
   */
  static final int MAX_HELD_ACKS_V3 = 1000;

  private final ConnectionHandler h;
  /** QoS 1/2 acknowledgements in PUBLISH order, each sent once its message is stored. */
  private final ArrayDeque<PendingAck> pendingAcks = new ArrayDeque<>();
  /** QoS 1 PUBLISH packets whose PUBACK has not been sent yet. */
  private int pendingQos1Acks;
  /** PUBLISH packets held while the store is failed, in arrival order. */
  private final ArrayDeque<HeldPublish> held = new ArrayDeque<>();
  /** Held QoS 2 PUBLISH packets: unanswered like those awaiting PUBREL. */
  private int heldQos2;

  InboundAcks(ConnectionHandler h) {
    this.h = h;
  }

  PendingAck expectAck(QoS qos) {
    h.lane().assertCurrent(h);
    PendingAck ack = new PendingAck(qos);
    pendingAcks.add(ack);
    if (qos == QoS.AT_LEAST_ONCE) {
      pendingQos1Acks++;
    }
    if (!h.version().isV5() && pendingAcks.size() >= MAX_HELD_ACKS_V3) {
      h.gate().hold(InboundGate.ACKS);
    }
    return ack;
  }

  /**
   * @return QoS 1 and QoS 2 PUBLISH packets from this client not yet answered by PUBACK or
   *     PUBCOMP: what MQTT 5's Receive Maximum bounds (3.3.4)
   */
  int unacknowledgedInbound() {
    return pendingQos1Acks + heldQos2 + (h.session() == null ? 0 : h.session().inbound().size());
  }

  /** A checked PUBLISH waiting for the store; its acknowledgement has its place in the order. */
  private record HeldPublish(Publish packet, Message message, long contentHash, PendingAck ack) {
  }

  /** @return whether PUBLISH packets of this connection wait for the store */
  boolean holdsPublishes() {
    return !held.isEmpty();
  }

  /**
   * Holds a PUBLISH until the store is back: nothing is routed or acknowledged, so nothing
   * unstored is promised. What one client can have held is bounded like any unacknowledged
   * PUBLISH: MQTT 5 by the Receive Maximum, MQTT 3 by pausing reading (see {@link #expectAck}).
   * Later PUBLISH packets of any QoS queue behind it, which keeps their order.
   */
  void hold(Publish p, Message m, long contentHash) {
    h.lane().assertCurrent(h);
    PendingAck ack = p.qos() == QoS.AT_MOST_ONCE ? null : expectAck(p.qos());
    if (p.qos() == QoS.EXACTLY_ONCE) {
      heldQos2++;
    }
    held.add(new HeldPublish(p, m, contentHash, ack));
    h.core().metrics.publishesHeld.increment();
  }

  /** The store is back: processes the held PUBLISH packets in order, while it stays up. */
  void releaseHeld() {
    h.lane().assertCurrent(h);
    while (!held.isEmpty() && h.state() == ConnectionHandler.State.CONNECTED) {
      HeldPublish next = held.peek();
      if (next.packet.qos() != QoS.AT_MOST_ONCE && !h.core().storeAvailable) {
        return;
      }
      forget(held.poll());
      InboundPublishFlow.accept(h, next.packet, next.message, next.contentHash, next.ack);
    }
  }

  /** The connection ended: its held PUBLISH packets were never acknowledged, the client resends. */
  void dropHeld() {
    while (!held.isEmpty()) {
      forget(held.poll());
    }
  }

  private void forget(HeldPublish held) {
    if (held.packet.qos() == QoS.EXACTLY_ONCE) {
      heldQos2--;
    }
    h.core().metrics.publishesHeld.decrement();
  }

  /** [MQTT-4.6.0-2] PUBACK and PUBREC leave in the order the PUBLISH packets arrived. */
  void releaseAcks() {
    while (!pendingAcks.isEmpty() && pendingAcks.peek().packet != null) {
      PendingAck done = pendingAcks.poll();
      if (done.qos == QoS.AT_LEAST_ONCE) {
        pendingQos1Acks--;
      }
      if (h.state() == ConnectionHandler.State.CONNECTED) {
        h.send(done.packet);
      }
    }
    if (pendingAcks.size() <= MAX_HELD_ACKS_V3 / 2 && h.gate().isPaused(InboundGate.ACKS)) {
      h.gate().release(InboundGate.ACKS);
    }
  }

  /** One acknowledgement waiting for its message to be stored; completed on the lane. */
  static final class PendingAck {
    private final QoS qos;
    private Packet packet;

    PendingAck(QoS qos) {
      this.qos = qos;
    }

    void complete(ConnectionHandler h, Packet ack) {
      packet = ack;
      h.acks().releaseAcks();
    }
  }
}
