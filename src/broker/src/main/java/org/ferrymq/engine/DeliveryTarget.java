package org.ferrymq.engine;

import java.util.List;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;

/**
 * Where the {@link Router} hands a matching message: a network client's {@link Session}, an
 * {@link InProcessSubscriber}, a cluster peer ({@link PeerTarget}) or a session that moved to a
 * peer a moment ago ({@link MovedSession}). Each is found by the key
 * of its entries in the subscription index; the kinds are kept in separate registries whose
 * keys can never be equal (see {@link InProcessSubscribers} and {@link PeerKey}).
 */
sealed interface DeliveryTarget permits Session, InProcessSubscriber, PeerTarget,
    MovedSession {

  /** @return the key of this target's entries in the subscription index */
  String key();

  /** @return the lane every delivery to this target runs on */
  Lane lane();

  /** Takes one routed message; called on {@link #lane()}. */
  void deliver(Message m, QoS qos, boolean retain, List<Integer> subscriptionIds,
      String sharedFilter, Admission admission);

  /**
   * @return whether the target may read the topic now; asked from any lane when choosing a
   *     shared-group member
   */
  boolean mayRead(String topic);

  /** @return whether a client is there to take messages now; readable from any lane */
  boolean isOnline();

  /** @return queued plus in-flight messages, for the least-loaded shared strategy */
  int load();
}
