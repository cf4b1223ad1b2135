package org.ferrymq.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.config.SharedStrategy;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;
import org.ferrymq.topic.MatchSink;
import org.ferrymq.topic.SharedGroup;
import org.ferrymq.topic.SubscriptionEntry;
import org.ferrymq.topic.SubscriptionIndex;
import org.ferrymq.topic.Topics;

/**
 * Routes a message to the sessions whose subscriptions match its topic.
 *
 * <p>Overlapping subscriptions of one client produce one delivery at the highest granted QoS
 * [MQTT-3.3.5-1], carrying every matching Subscription Identifier (MQTT 5 3.3.4). A shared group
 * delivers to one member, preferring connected ones; in a cluster, a group with members on several
 * nodes delivers to one member cluster-wide: this node chooses the node that serves the group's
 * copy ({@link GroupPlacement}) and, when it is a peer, forwards the message with that group
 * assigned ({@link GroupAssignment}). Runs on the publisher's lane; each
 * delivery runs on the subscriber's lane, which keeps the order of one publisher's messages per
 * subscriber: directly when that is this lane, in place when all receivers share one idle lane
 * (see {@link Lane}), and otherwise queued so that the receiving lanes work in parallel.
 */
final class Router {
  /** The receiver count a completion gets when a delivery failed. */
  static final int FAILED = -1;
  private static final Logger LOG = Logger.getLogger(Router.class.getName());
  private final BrokerCore core;
  private final SubscriptionIndex index;
  /** Whether the index may report peers: only then do shared groups span nodes. */
  private final boolean clustered;

  Router(BrokerCore core, SubscriptionIndex index, boolean clustered) {
    this.core = core;
    this.index = index;
    this.clustered = clustered;
  }

  /**
   * Routes one message; called on a lane.
   *
   * @param whenTaken receives the number of receivers once every receiving session has admitted
   *     (queued, and so stored) the message, which a congested receiver defers until its backlog
   *     drained, or {@link #FAILED} when a delivery failed; the publisher's acknowledgement
   *     waits for it. May be null.
   * @param publisher the publishing connection's gate: deliveries queued on other lanes count
   *     against it, and deferred admissions mark it throttled. May be null.
   * @param reached sessions and shared groups that already hold the message (a resend after a
   *     crash interrupted its routing): left out, and counted as receivers. May be null.
   * @param whenStored runs once every receiving session has stored the message, before or
   *     with {@code whenTaken} (a congested session stores at once and admits later), and not
   *     if a delivery failed. Used only with {@code whenTaken}; may be null.
   * @param whenBrokeOff if a delivery failed, receives the sessions and shared groups that took
   *     the message (and those of {@code reached}) before {@code whenTaken} hears of the failure,
   *     so that a resend reaches only the others. Used only with {@code whenTaken}; may be null.
   * @return the number of sessions it was handed to
   */
  int route(Message m, Lane current, IntConsumer whenTaken, InboundGate publisher,
      AlreadyRouted reached, Runnable whenStored, Consumer<AlreadyRouted> whenBrokeOff) {
    return route(m, current, whenTaken, publisher, reached, whenStored, whenBrokeOff, null);
  }

  /**
   * Routes a message a cluster peer forwarded: to this node's own receivers only, since the
   * peer has forwarded it to every other node with a match itself, and to the shared groups the
   * peer chose this node for, no others. A congested receiver may defer it only until {@link
   * BrokerCore#forwardedAdmitBy()}. A QoS 1/2 message whose delivery fails here is remembered
   * with the sessions that took it, and its publisher's resend leaves them out ({@link
   * PartlyTakenForwards}).
   */
  int routeFromPeer(Message m, Lane current, GroupAssignment groups, IntConsumer whenTaken) {
    PartlyTakenForwards partly = core.partlyTaken;
    if (partly == null || m.qos() == QoS.AT_MOST_ONCE) {
      return route(m, current, whenTaken, null, null, null, null, groups);
    }
    return route(m, current, whenTaken, null, partly.resent(m), null,
        took -> partly.brokeOff(m, took), groups);
  }

  /**
   * Routes a message meant for the sessions taken over from a node that died: to those of
   * {@code sessions} with a matching non-shared subscription here, never to peers or shared
   * groups, and not to a session that holds the QoS 2 message already ({@link Qos2Duplicates}).
   */
  int routeToSessions(Message m, Lane current, Set<String> sessions, IntConsumer whenTaken) {
    Collector c = current.collector;
    c.reset(m.originClientId(), true);
    try {
      index.match(m.topic(), c);
      c.targets.keySet().retainAll(sessions);
      for (Target t : c.targets.values()) {
        t.target = core.session(t.clientId);
      }
      QuorumBound bound = QuorumBound.of(core.ackSafety, m, c.targets.values());
      if (bound != null && bound.refused()) {
        return refuse(null, whenTaken, null);
      }
      RouteBarrier barrier = new RouteBarrier(c.targets.size() + 1, whenTaken, null, null, null)
          .limitDeferral(core.forwardedAdmitBy()).watch(bound);
      int delivered = 0;
      for (Target t : c.targets.values()) {
        if (t.target instanceof Session s) {
          delivered++;
          QoS qos = QoS.min(m.qos(), t.qos);
          boolean retain = t.retainAsPublished && m.retain();
          List<Integer> ids = t.subscriptionIds == null ? List.of() : t.subscriptionIds;
          s.lane().execute(() -> {
            if (s.outbox().holdsQos2(m)) {
              barrier.admitted();
            } else {
              deliverGuarded(s, m, qos, retain, ids, null, null, barrier);
            }
          });
        } else {
          barrier.arrive();
        }
      }
      barrier.receivers = delivered;
      barrier.arrive();
      return delivered;
    } finally {
      c.reset(null, false);
    }
  }

  /** @param assigned the groups a peer chose this node for; null for a message of this node */
  private int route(Message m, Lane current, IntConsumer whenTaken, InboundGate publisher,
      AlreadyRouted reached, Runnable whenStored, Consumer<AlreadyRouted> whenBrokeOff,
      GroupAssignment assigned) {
    Collector c = current.collector;
    c.reset(m.originClientId(), assigned != null);
    try {
      index.match(m.topic(), c);
      int skipped = 0;
      if (reached != null) {
        skipped = reached.size();
        c.targets.keySet().removeAll(reached.clients());
        c.groups.removeIf(g -> reached.sharedFilters().contains("$share/" + g.shareName() + "/"
            + g.filter()));
      }
      if (assigned != null) {
        serveAssigned(c, m, current, assigned);
      } else if (clustered) {
        placeGroups(c, m, current);
      } else {
        for (SharedGroup g : c.groups) {
          pickOrCountDenied(c, g, m, current);
        }
      }
      boolean inPlace = onOneLane(c.targets.values());
      QuorumBound bound = whenTaken == null ? null
          : QuorumBound.of(core.ackSafety, m, c.targets.values());
      if (bound != null && bound.refused()) {
        return refuse(reached, whenTaken, whenBrokeOff);
      }
      RouteBarrier barrier = whenTaken == null ? null
          : new RouteBarrier(c.targets.size() + 1, whenTaken, whenStored, publisher,
              whenBrokeOff == null ? null : new BreakOff(m, reached, whenBrokeOff)).watch(bound);
      if (barrier != null && assigned != null) {
        // a peer's publisher waits for it: no session here may hold it back for long
        barrier.limitDeferral(core.forwardedAdmitBy());
      }
      int delivered = 0;
      for (Target t : c.targets.values()) {
        if (dispatch(m, t, barrier, inPlace, publisher)) {
          delivered++;
        }
      }
      if (barrier != null) {
        barrier.receivers = delivered + skipped;
        barrier.arrive();
      }
      return delivered + skipped;
    } finally {
      c.reset(null, false);
    }
  }

  /**
   * Fails a QoS 1/2 message before anyone has it: this node's side of its cluster lacks quorum
   * and a receiver's copy would not last ({@link QuorumBound}). An MQTT 3 QoS 2 publisher's
   * resend then reaches every receiver once ({@code reached} left out, as before).
   *
   * @return 0, the receivers it was handed to
   */
  private static int refuse(AlreadyRouted reached, IntConsumer whenTaken,
      Consumer<AlreadyRouted> whenBrokeOff) {
    if (whenBrokeOff != null) {
      whenBrokeOff.accept(reached != null ? reached : AlreadyRouted.collecting());
    }
    whenTaken.accept(FAILED);
    return 0;
  }

  /** Picks a member of a group on this node; counts the message as denied when none may read. */
  private boolean pickOrCountDenied(Collector c, SharedGroup g, Message m, Lane current) {
    SubscriptionEntry member = pickExcluding(g, null, m.topic());
    if (member != null) {
      c.add(member, g);
      return true;
    }
    if (!g.members().isEmpty()) {
      // no member's identity may read the topic now
      core.metrics.on(current).dropped(DropReason.READ_DENIED);
    }
    return false;
  }

  /**
   * In a cluster, the index reports a group in up to two parts: this node's members, and the
   * peers with members (one entry per peer). Each group's copy goes to one node: a weighted
   * round robin over this node and the peers, on the peers' part's counter.
   */
  private void placeGroups(Collector c, Message m, Lane current) {
    List<SharedGroup> groups = c.groups;
    for (int i = 0; i < groups.size(); i++) {
      SharedGroup g = groups.get(i);
      if (g.members().isEmpty()) {
        continue;
      }
      boolean onPeers = onPeers(g);
      SharedGroup other = otherPart(groups, g, !onPeers);
      if (onPeers && other != null) {
        continue; // placed with this node's part
      }
      SharedGroup here = onPeers ? null : g;
      SharedGroup peers = onPeers ? g : other;
      if (peers == null) {
        pickOrCountDenied(c, here, m, current);
        continue;
      }
      int membersHere = here == null ? 0 : here.members().size();
      List<SubscriptionEntry> remote = peers.members();
      int ticket = peers.nextRoundRobin();
      int choice = GroupPlacement.choose(ticket, membersHere, remote, index::weight);
      SubscriptionEntry member = choice == GroupPlacement.HERE
          ? pickExcluding(here, null, m.topic()) : null;
      if (member != null) {
        c.add(member, here);
      } else if (!remote.isEmpty()) {
        // chosen, or no member here may read the topic now: a peer's member may
        int onPeer = choice == GroupPlacement.HERE
            ? GroupPlacement.choose(ticket, 0, remote, index::weight) : choice;
        c.assign(remote.get(onPeer), false);
      }
    }
  }

  /**
   * A forwarded message serves the groups its origin chose this node for, no others: each goes
   * to one member here. A group with no member here that may read the topic (the last one left
   * after the origin chose this node) is passed on once to a peer with members.
   */
  private void serveAssigned(Collector c, Message m, Lane current, GroupAssignment assigned) {
    for (String sharedFilter : assigned.sharedFilters()) {
      SharedGroup here = null;
      SharedGroup peers = null;
      for (SharedGroup g : c.groups) {
        if (!g.members().isEmpty() && isGroup(sharedFilter, g)) {
          if (onPeers(g)) {
            peers = g;
          } else {
            here = g;
          }
        }
      }
      SubscriptionEntry member = pickExcluding(here, null, m.topic());
      if (member != null) {
        c.add(member, here);
      } else if (peers != null && !assigned.relayed()) {
        c.assign(peers.members().get(GroupPlacement.choose(peers.nextRoundRobin(), 0,
            peers.members(), index::weight)), true);
      } else if (here != null) {
        core.metrics.on(current).dropped(DropReason.READ_DENIED);
      } else {
        LOG.fine(() -> "A message on '" + m.topic() + "' for " + sharedFilter + " found no "
            + "member of the group on this node or, passed on already, on its peers");
      }
    }
  }

  /** @return whether the group part stands for peers' members, not this node's */
  private static boolean onPeers(SharedGroup g) {
    List<SubscriptionEntry> members = g.members();
    return !members.isEmpty() && PeerKey.is(members.get(0).clientId());
  }

  /** @return the non-empty part of the same group on the other side, null when none matched */
  private static SharedGroup otherPart(List<SharedGroup> groups, SharedGroup g,
      boolean wantPeers) {
    for (SharedGroup other : groups) {
      if (other != g && onPeers(other) == wantPeers && !other.members().isEmpty()
          && other.shareName().equals(g.shareName()) && other.filter().equals(g.filter())) {
        return other;
      }
    }
    return null;
  }

  /** @return whether {@code sharedFilter} ({@code $share/<name>/<filter>}) names the group */
  static boolean isGroup(String sharedFilter, SharedGroup g) {
    String name = g.shareName();
    int slash = Topics.SHARE_PREFIX.length() + name.length();
    return sharedFilter.length() == slash + 1 + g.filter().length()
        && sharedFilter.startsWith(Topics.SHARE_PREFIX)
        && sharedFilter.startsWith(name, Topics.SHARE_PREFIX.length())
        && sharedFilter.charAt(slash) == '/' && sharedFilter.endsWith(g.filter());
  }

  /**
   * Re-routes a message that a shared-group member did not receive (it left the group, or its
   * identity may no longer read the topic, or it is a peer node that left the cluster) to
   * another member that may read it: one on this node, or else, in a cluster, one on another
   * peer (passed on once, as {@link GroupAssignment} says).
   *
   * @param leavingClientId the member that did not receive it: a client id, or a peer's key
   * @return whether a member was found
   */
  boolean redistribute(Message m, String sharedFilter, String leavingClientId) {
    List<SharedGroup> found = new ArrayList<>(2);
    index.match(m.topic(), new MatchSink() {
      @Override
      public void direct(SubscriptionEntry entry) {
        // only the shared group matters here
      }

      @Override
      public void shared(SharedGroup group) {
        if (isGroup(sharedFilter, group) && !group.members().isEmpty()) {
          found.add(group);
        }
      }
    });
    SharedGroup peers = null;
    for (SharedGroup g : found) {
      if (onPeers(g)) {
        peers = g;
        continue;
      }
      SubscriptionEntry member = pickExcluding(g, leavingClientId, m.topic());
      if (member != null) {
        Target t = new Target(member.clientId());
        t.merge(member, g);
        return dispatch(m, t, null, false, null);
      }
    }
    if (peers == null) {
      return false;
    }
    List<SubscriptionEntry> remote = new ArrayList<>(peers.members());
    remote.removeIf(e -> e.clientId().equals(leavingClientId));
    if (remote.isEmpty()) {
      return false;
    }
    SubscriptionEntry peer = remote.get(GroupPlacement.choose(peers.nextRoundRobin(), 0, remote,
        index::weight));
    Target t = new Target(peer.clientId());
    t.assign(peer, true);
    return dispatch(m, t, null, false, null);
  }

  /**
   * Whether every receiver is on one lane. Only then may an idle foreign lane run on this thread:
   * it saves a thread hand-off and costs no parallelism, whereas running several receiving lanes
   * in turn here would serialise a fan-out that their own threads can do side by side.
   */
  private boolean onOneLane(Iterable<Target> targets) {
    Lane only = null;
    for (Target t : targets) {
      DeliveryTarget s = core.targetOf(t.clientId);
      t.target = s;
      if (s == null) {
        continue;
      }
      if (only == null) {
        only = s.lane();
      } else if (only != s.lane()) {
        return false;
      }
    }
    return true;
  }

  private boolean dispatch(Message m, Target t, RouteBarrier barrier, boolean inPlace,
      InboundGate publisher) {
    DeliveryTarget s = t.target != null ? t.target : core.targetOf(t.clientId);
    if (s == null) {
      if (barrier != null) {
        barrier.arrive();
      }
      return false;
    }
    QoS qos = QoS.min(m.qos(), t.qos);
    boolean retain = t.retainAsPublished && m.retain();
    List<Integer> ids = t.subscriptionIds == null ? List.of() : t.subscriptionIds;
    String shared = t.sharedFilter;
    GroupAssignment groups = t.groups == null ? null : new GroupAssignment(t.groups, t.relayed);
    Admission admission = barrier == null ? Admission.NONE : barrier;
    Lane lane = s.lane();
    if (lane.isCurrent()) {
      deliverGuarded(s, m, qos, retain, ids, shared, groups, admission);
    } else if (inPlace) {
      lane.executeHere(() -> deliverGuarded(s, m, qos, retain, ids, shared, groups, admission));
    } else if (publisher == null) {
      lane.execute(() -> deliverGuarded(s, m, qos, retain, ids, shared, groups, admission));
    } else {
      // Queued work on another lane counts against the publisher until it ran, so a publisher
      // faster than its subscribers' lanes is paused instead of growing their task queues
      long bytes = m.sizeInBytes();
      publisher.reserve(bytes);
      lane.execute(() -> {
        try {
          deliverGuarded(s, m, qos, retain, ids, shared, groups, admission);
        } finally {
          publisher.free(bytes);
        }
      });
    }
    return true;
  }

  /**
   * A delivery that throws (a store that refuses a write instead of holding it, a bug) fails
   * the publisher's acknowledgement explicitly rather than leaving it, and every later one of
   * that publisher, waiting forever. A peer chosen for shared groups gets them with the message.
   */
  private static void deliverGuarded(DeliveryTarget s, Message m, QoS qos, boolean retain,
      List<Integer> ids, String shared, GroupAssignment groups, Admission admission) {
    try {
      if (groups != null && s instanceof PeerTarget peer) {
        peer.forward(m, groups, admission);
      } else {
        s.deliver(m, qos, retain, ids, shared, admission);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "Delivering a message on '" + m.topic() + "' to " + s
          + " failed; its publisher's acknowledgement reports the failure", e);
      admission.failed(s.key(), shared);
    }
  }

  /**
   * What a message whose delivery failed tells its publisher's flow: who took it. Only the
   * failed receivers are recorded while routing (rarely any); the others are derived when it
   * fails, by matching the topic again. A session that subscribed in between counts as having
   * it, which is right: it subscribed after the message arrived.
   */
  final class BreakOff {
    private final Message message;
    private final AlreadyRouted reached;
    private final Consumer<AlreadyRouted> listener;
    /** Guarded by itself; created by the first failure. */
    private List<String[]> failures;

    BreakOff(Message message, AlreadyRouted reached, Consumer<AlreadyRouted> listener) {
      this.message = message;
      this.reached = reached;
      this.listener = listener;
    }

    synchronized void failedAt(String clientId, String sharedFilter) {
      if (failures == null) {
        failures = new ArrayList<>(2);
      }
      failures.add(new String[] {clientId, sharedFilter});
    }

    void report() {
      AlreadyRouted took = AlreadyRouted.collecting();
      if (reached != null) {
        took.addAll(reached);
      }
      index.match(message.topic(), new MatchSink() {
        @Override
        public void direct(SubscriptionEntry entry) {
          took.add(entry.clientId(), null);
        }

        @Override
        public void shared(SharedGroup group) {
          took.add(null, "$share/" + group.shareName() + "/" + group.filter());
        }
      });
      synchronized (this) {
        for (String[] f : failures) {
          took.clients().remove(f[0]);
          if (f[1] != null) {
            took.sharedFilters().remove(f[1]);
          }
        }
      }
      listener.accept(took);
    }
  }

  /**
   * Picks the member of a shared group that gets a message: never {@code excluded}, and only a
   * member whose session's current identity may read the topic (each member subscribed under
   * its own rights, which may have changed since).
   */
  private SubscriptionEntry pickExcluding(SharedGroup g, String excluded, String topic) {
    if (g == null) {
      return null;
    }
    List<SubscriptionEntry> members = g.members();
    int n = members.size();
    if (n == 0) {
      return null;
    }
    if (core.config.sharedStrategy() == SharedStrategy.LEAST_LOADED) {
      SubscriptionEntry best = null;
      int bestLoad = Integer.MAX_VALUE;
      for (SubscriptionEntry e : members) {
        DeliveryTarget s = core.targetOf(e.clientId());
        if (s == null || e.clientId().equals(excluded) || !s.mayRead(topic)) {
          continue;
        }
        int load = s.isOnline() ? s.load() : Integer.MAX_VALUE - 1;
        if (load < bestLoad) {
          best = e;
          bestLoad = load;
        }
      }
      return best;
    }
    int start = Math.floorMod(g.nextRoundRobin(), n);
    SubscriptionEntry offlineChoice = null;
    for (int i = 0; i < n; i++) {
      SubscriptionEntry e = members.get((start + i) % n);
      if (e.clientId().equals(excluded)) {
        continue;
      }
      DeliveryTarget s = core.targetOf(e.clientId());
      if (s == null || !s.mayRead(topic)) {
        continue;
      }
      if (s.isOnline()) {
        return e;
      }
      if (offlineChoice == null) {
        offlineChoice = e;
      }
    }
    return offlineChoice;
  }

  /** Merges the matches of one publish per client; reused per lane to avoid allocation. */
  static final class Collector implements MatchSink {
    final Map<String, Target> targets = new HashMap<>();
    final List<SharedGroup> groups = new ArrayList<>();
    private String publisher;
    private boolean fromPeer;

    void reset(String publisherClientId, boolean forwardedByPeer) {
      targets.clear();
      groups.clear();
      publisher = publisherClientId;
      fromPeer = forwardedByPeer;
    }

    @Override
    public void direct(SubscriptionEntry entry) {
      // [MQTT-3.8.3-3] No Local: not to the publisher's own subscription
      if (entry.noLocal() && entry.clientId().equals(publisher)) {
        return;
      }
      // a forwarded message goes no further: its origin node forwarded it to every peer
      if (fromPeer && PeerKey.is(entry.clientId())) {
        return;
      }
      add(entry, null);
    }

    @Override
    public void shared(SharedGroup group) {
      groups.add(group);
    }

    void add(SubscriptionEntry entry, SharedGroup group) {
      targets.computeIfAbsent(entry.clientId(), Target::new).merge(entry, group);
    }

    /** The peer of {@code peerEntry} serves that entry's group with this message. */
    void assign(SubscriptionEntry peerEntry, boolean relayed) {
      targets.computeIfAbsent(peerEntry.clientId(), Target::new).assign(peerEntry, relayed);
    }
  }

  /** One client's merged view of its matching subscriptions. */
  static final class Target {
    final String clientId;
    QoS qos = QoS.AT_MOST_ONCE;
    boolean retainAsPublished;
    List<Integer> subscriptionIds;
    String sharedFilter;
    /** A peer's: the shared groups it serves with the message; null for none. */
    List<String> groups;
    boolean relayed;
    /** Looked up once per route by {@link #onOneLane}. */
    DeliveryTarget target;

    Target(String clientId) {
      this.clientId = clientId;
    }

    void merge(SubscriptionEntry e, SharedGroup group) {
      qos = QoS.max(qos, e.maxQos());
      retainAsPublished |= e.retainAsPublished();
      if (e.subscriptionIdentifier() > 0) {
        if (subscriptionIds == null) {
          subscriptionIds = new ArrayList<>(2);
        }
        subscriptionIds.add(e.subscriptionIdentifier());
      }
      if (group != null) {
        sharedFilter = e.fullFilter();
      }
    }

    void assign(SubscriptionEntry peerEntry, boolean relay) {
      merge(peerEntry, null);
      if (groups == null) {
        groups = new ArrayList<>(2);
      }
      groups.add(peerEntry.fullFilter());
      relayed = relay;
    }
  }
}
