package org.ferrymq.engine;

import java.util.function.Consumer;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.StoredDelivery;

/**
 * The in-process consumer attached to a durable session ({@link InProcessSessions}), in place of
 * a network connection: a PUBLISH becomes an {@link InProcessDelivery} handed to the listener,
 * and the listener's acknowledgement completes the delivery on the session's lane, as a PUBACK
 * or PUBCOMP would. It always takes what the outbox sends: the in-flight window (the Receive
 * Maximum it attached with) is its bound, and past it messages queue in the session, where a
 * full queue holds the publishers' acknowledgements back as for a slow network client.
 */
final class InProcessPeer implements Peer {
  private static final Runnable NO_ACKNOWLEDGEMENT = () -> { };

  private final Session session;
  private final BrokerCore core;
  private final Consumer<InProcessDelivery> listener;

  InProcessPeer(Session session, BrokerCore core, Consumer<InProcessDelivery> listener) {
    this.session = session;
    this.core = core;
    this.listener = listener;
  }

  @Override
  public boolean sendPublish(StoredDelivery d, boolean dup) {
    Message m = d.message();
    Message delivered = d.retain() == m.retain() ? m : m.withRetain(d.retain());
    core.metrics.on(session.lane()).published(d.qos(), dup ? 0 : m.arrivedAtNanos());
    int packetId = d.packetId();
    listener.accept(new InProcessDelivery(delivered, d.qos(), dup,
        d.qos() == QoS.AT_MOST_ONCE ? NO_ACKNOWLEDGEMENT : () -> acknowledge(packetId)));
    return true;
  }

  /**
   * A QoS 2 delivery recovered after its PUBREC (stored by an earlier version of the session)
   * is complete: the consumer had acknowledged it. Completed on a later task, since the outbox
   * is iterating its window now.
   */
  @Override
  public void sendPubRel(int packetId) {
    acknowledge(packetId);
  }

  @Override
  public boolean isWritable() {
    return true;
  }

  /** Completes the delivery on the lane, only while this consumer is the one attached. */
  private void acknowledge(int packetId) {
    session.lane().execute(() -> {
      if (session.peer() == this) {
        session.outbox().complete(packetId);
      }
    });
  }
}
