package org.ferrymq.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.topic.SubscriptionEntry;

/**
 * Closes the window while a session moves between the nodes of a cluster (docs/cluster.md,
 * "Sessions"). Until every node sees the session's subscriptions on its new node, they may
 * route its messages to the old one; so for a grace period:
 * <ul>
 *   <li>the old node keeps the session's subscriptions and forwards what matches them to the
 *       new node, addressed to the session ({@link MovedSession});</li>
 *   <li>the new node parks what arrives so addressed before the session is there, and hands
 *       it over when the session arrives; the publisher's acknowledgement waits meanwhile;</li>
 *   <li>the session, on its new node, takes no message twice when the message was routed
 *       both ways ({@link RecentDeliveries}).</li>
 * </ul>
 * Only a clustered broker has one. Each client's entries are touched on that client's lane;
 * the maps are shared by the lanes.
 */
final class SessionMoves {
  /** QoS 0 messages parked per session at most; no acknowledgement holds their publishers. */
  static final int MAX_PARKED_QOS0 = 1_000;
  private static final Logger LOG = Logger.getLogger(SessionMoves.class.getName());

  private final BrokerCore core;
  private final PeerLink link;
  private final long graceNanos;
  private final Map<String, MovedSession> movedOut = new ConcurrentHashMap<>();
  /** Per client, what arrived before its session; each confined to the client's lane. */
  private final Map<String, Waiting> parked = new ConcurrentHashMap<>();

  private record Parked(Message message, SessionDelivery delivery, IntConsumer whenTaken,
      long untilNanos) {
  }

  /** The messages parked for one session, in their order, and how many of them are QoS 0. */
  private static final class Waiting {
    final List<Parked> messages = new ArrayList<>();
    int qos0;
  }

  SessionMoves(BrokerCore core, PeerLink link, long graceNanos) {
    this.core = core;
    this.link = link;
    this.graceNanos = graceNanos;
  }

  /**
   * The session left for {@code node}: its subscriptions stay, its messages follow it there
   * until the grace period ends, those routed to it before it left included. On the session's
   * lane, before it is taken off this node: another lane that routes to it meanwhile finds the
   * session, which passes the message on, or this entry, and never neither.
   */
  void movedOut(Session s, String node) {
    MovedSession forwarding = new MovedSession(s.clientId(), s.lane(), node, link,
        System.nanoTime() + graceNanos);
    movedOut.put(s.clientId(), forwarding);
    s.leftFor(forwarding);
  }

  /** @return the moved session that forwards this client's messages, or null */
  MovedSession forwarding(String clientId) {
    return movedOut.get(clientId);
  }

  /**
   * A new session of this client begins here: what the moved one left in the index is not
   * its own. On the client's lane.
   */
  void sessionBegins(String clientId) {
    if (movedOut.remove(clientId) != null) {
      core.index.unsubscribeAll(clientId);
    }
  }

  /**
   * The session moves back here. Its subscriptions stay in the index, where the adopted
   * session's own replace them without being withdrawn in between; forwarding goes on until
   * the adopted session is registered ({@link #cameBack}).
   *
   * @return the subscriptions the moved session left in the index
   */
  List<SubscriptionEntry> comesBack(String clientId) {
    return movedOut.containsKey(clientId) ? core.index.subscriptionsOf(clientId) : List.of();
  }

  /**
   * The session that came back is registered here: forwarding ends. Not before, so that another
   * lane routing to the client meanwhile finds the entry or the session, never neither.
   */
  void cameBack(String clientId) {
    movedOut.remove(clientId);
  }

  /**
   * The session arrived here from another node: for the grace period it takes no message
   * twice, and what was forwarded to it meanwhile is delivered now, in its order. On its lane.
   *
   * @param carried messages it took lately on its previous node
   * @param queued its deliveries brought along, already in its queue
   */
  void arrived(Session s, List<MessageOrigin> carried, List<StoredDelivery> queued) {
    RecentDeliveries recent = new RecentDeliveries(carried,
        System.nanoTime() + graceNanos);
    for (StoredDelivery d : queued) {
      recent.takenBefore(d.message());
    }
    s.rememberTaken(recent);
    Waiting waiting = parked.remove(s.clientId());
    if (waiting != null) {
      waiting.messages.forEach(p -> deliver(s, p.message(), p.delivery(), p.whenTaken()));
    }
  }

  /**
   * A peer forwarded a message addressed to one session: it is delivered to the session, passed
   * on when the session moved on again, or parked until the session arrives here.
   *
   * @param whenTaken as for a message routed from a peer
   */
  void arrive(Message m, SessionDelivery d, IntConsumer whenTaken) {
    String clientId = d.clientId();
    core.laneFor(clientId).execute(() -> {
      DeliveryTarget target = core.targetOf(clientId);
      if (target != null) {
        deliver(target, m, d, whenTaken);
        return;
      }
      Waiting waiting = parked.computeIfAbsent(clientId, k -> new Waiting());
      if (d.qos() == QoS.AT_MOST_ONCE) {
        if (waiting.qos0 >= MAX_PARKED_QOS0) {
          // as for a client not connected: QoS 0 beyond the bound is dropped
          core.metrics.on(core.laneFor(clientId)).dropped(DropReason.QOS0_OFFLINE);
          return;
        }
        waiting.qos0++;
      }
      waiting.messages.add(new Parked(m, d, whenTaken, System.nanoTime() + graceNanos));
    });
  }

  private void deliver(DeliveryTarget target, Message m, SessionDelivery d,
      IntConsumer whenTaken) {
    RouteBarrier barrier = new RouteBarrier(2, core.whenDurable(whenTaken), null, null, null)
        .limitDeferral(core.forwardedAdmitBy());
    barrier.receivers = 1;
    try {
      target.deliver(m, d.qos(), d.retain(), d.subscriptionIds(), d.sharedFilter(), barrier);
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "Delivering a message on '" + m.topic() + "' forwarded to "
          + target + " failed; its publisher's acknowledgement reports the failure", e);
      barrier.failed(d.clientId(), d.sharedFilter());
    }
    barrier.arrive();
  }

  /**
   * Ends the grace periods that are over: a moved session's subscriptions leave the index, and
   * messages parked for a session that did not arrive are settled as failed, so their
   * publishers learn it. The broker's timer calls it; the work runs on the clients' lanes.
   */
  void sweep(long nowNanos) {
    movedOut.forEach((clientId, moved) -> {
      if (moved.isOver(nowNanos)) {
        moved.lane().execute(() -> endForwarding(clientId, moved));
      }
    });
    for (String clientId : parked.keySet()) {
      core.laneFor(clientId).execute(() -> expireParked(clientId, nowNanos));
    }
  }

  private void endForwarding(String clientId, MovedSession moved) {
    if (movedOut.remove(clientId, moved) && core.session(clientId) == null) {
      core.index.unsubscribeAll(clientId);
    }
  }

  private void expireParked(String clientId, long nowNanos) {
    Waiting waiting = parked.get(clientId);
    if (waiting == null) {
      return;
    }
    List<Parked> expired = new ArrayList<>();
    waiting.messages.removeIf(p -> nowNanos - p.untilNanos() >= 0 && expired.add(p));
    if (waiting.messages.isEmpty()) {
      parked.remove(clientId);
    }
    if (!expired.isEmpty()) {
      LOG.warning(() -> expired.size() + " messages forwarded to session " + clientId
          + ", which did not arrive on this node within the handover's grace period, are "
          + "settled as failed; their publishers are told");
      expired.forEach(p -> p.whenTaken().accept(Router.FAILED));
    }
  }
}
