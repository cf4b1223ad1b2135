package org.ferrymq.engine;

import java.util.List;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;

/**
 * A cluster peer as a receiver: the router hands it a message once, whatever number of that
 * peer's subscriptions match, and the peer routes it to its own subscribers. The publisher's
 * acknowledgement waits until the peer has taken the message ({@link PeerLink.Receipt}); a peer
 * that takes its time therefore holds the publishers back as a congested session would.
 */
final class PeerTarget implements DeliveryTarget {
  private final String key;
  private final String node;
  private final Lane lane;
  private final PeerLink link;
  private final Router router;

  PeerTarget(String key, Lane lane, PeerLink link, Router router) {
    this.key = key;
    this.node = PeerKey.nodeOf(key);
    this.lane = lane;
    this.link = link;
    this.router = router;
  }

  @Override
  public String key() {
    return key;
  }

  /** @return the peer's node id */
  String node() {
    return node;
  }

  @Override
  public Lane lane() {
    return lane;
  }

  /**
   * Forwards the message with the publisher's QoS (the peer grants each subscriber its own)
   * and RETAIN flag (the peer applies Retain As Published per subscription).
   */
  @Override
  public void deliver(Message m, QoS qos, boolean retain, List<Integer> subscriptionIds,
      String sharedFilter, Admission admission) {
    forward(m, GroupAssignment.NONE, admission);
  }

  /**
   * Forwards the message for the peer's non-shared subscribers and for the shared groups this
   * node chose the peer for; called on {@link #lane()}.
   */
  void forward(Message m, GroupAssignment groups, Admission admission) {
    link.forward(node, m, groups, new PeerLink.Receipt() {
      @Override
      public void accepted() {
        lane.execute(admission::admitted);
      }

      @Override
      public void failed() {
        lane.execute(() -> admission.failed(key, null));
      }

      /**
       * A group this node chose the peer for goes to another member, here or on a peer, once
       * (a relayed group's copy is not moved again); the acknowledgement waits for that hand-over.
       */
      @Override
      public void left() {
        if (groups.isEmpty() || groups.relayed()) {
          accepted();
          return;
        }
        lane.execute(() -> {
          for (String group : groups.sharedFilters()) {
            router.redistribute(m, group, key);
          }
          admission.admitted();
        });
      }
    });
  }

  /** The peer applies its subscribers' rights itself. */
  @Override
  public boolean mayRead(String topic) {
    return true;
  }

  @Override
  public boolean isOnline() {
    return true;
  }

  @Override
  public int load() {
    return 0;
  }

  @Override
  public String toString() {
    return "cluster peer " + node;
  }
}
