package org.ferrymq.engine;

import java.util.List;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;

/**
 * A session this node handed over to another node a moment ago, kept as a receiver for a grace
 * period ({@link SessionMoves}): its subscriptions stay in the index (and so announced to the
 * peers), and each message routed to it is forwarded to the session on its new node, addressed
 * to it alone. Until every node sees the session's subscriptions on the new node, messages for
 * the session still arrive here; without this they would find no one and be acknowledged all
 * the same. The publisher's acknowledgement waits for the new node to take the message, as for
 * any peer. Deliveries run on {@link #lane()}, the session's lane here.
 */
final class MovedSession implements DeliveryTarget {
  private final String clientId;
  private final Lane lane;
  private final String node;
  private final PeerLink link;
  private final long untilNanos;

  /**
   * @param node the node the session moved to
   * @param untilNanos the end of the grace period ({@link System#nanoTime()})
   */
  MovedSession(String clientId, Lane lane, String node, PeerLink link, long untilNanos) {
    this.clientId = clientId;
    this.lane = lane;
    this.node = node;
    this.link = link;
    this.untilNanos = untilNanos;
  }

  @Override
  public String key() {
    return clientId;
  }

  @Override
  public Lane lane() {
    return lane;
  }

  /** @return whether the grace period is over */
  boolean isOver(long nowNanos) {
    return nowNanos - untilNanos >= 0;
  }

  /**
   * Forwards the message to the session's new node with what the session's subscriptions
   * granted here. A new node that left the cluster took it with the session, as a peer that
   * leaves does (see docs/cluster.md, "Failover").
   */
  @Override
  public void deliver(Message m, QoS qos, boolean retain, List<Integer> subscriptionIds,
      String sharedFilter, Admission admission) {
    SessionDelivery delivery = new SessionDelivery(clientId, qos, retain, subscriptionIds,
        sharedFilter);
    link.forwardTo(node, m, delivery, new PeerLink.Receipt() {
      @Override
      public void accepted() {
        lane.execute(admission::admitted);
      }

      @Override
      public void failed() {
        lane.execute(() -> admission.failed(clientId, sharedFilter));
      }

      @Override
      public void left() {
        accepted();
      }
    });
  }

  /** Its subscriptions were granted under the session's identity; the new node holds it now. */
  @Override
  public boolean mayRead(String topic) {
    return true;
  }

  /** Not here: a shared group prefers its members that are connected. */
  @Override
  public boolean isOnline() {
    return false;
  }

  @Override
  public int load() {
    return 0;
  }

  @Override
  public String toString() {
    return "session " + clientId + ", moved to cluster node " + node;
  }
}
