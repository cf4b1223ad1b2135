package org.ferrymq.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.logging.Logger;
import org.ferrymq.config.QueueFullPolicy;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.DeliveryState;
import org.ferrymq.persistence.StoredDelivery;

// Over 400 lines by choice: queue, in-flight window and held sends share one set of invariants.
/**
 * The outbound side of one {@link Session}: the queue, the in-flight QoS 1/2 window within the
 * client's Receive Maximum, QoS 2 packets held until the store made their state durable, and
 * the publishers' admissions deferred while the session is congested. Confined to the session's
 * lane; reached through {@link Session#outbox()} and {@link Session#deliver}, which check it.
 * Only {@link #load()} is read by other lanes.
 */
final class Outbox {
  private static final Logger LOG = Logger.getLogger(Outbox.class.getName());

  private final Session session;
  private final Lane lane;
  private final BrokerCore core;
  private final ArrayDeque<StoredDelivery> queue = new ArrayDeque<>();
  private long queuedBytes;
  private final LinkedHashMap<Integer, StoredDelivery> inflight = new LinkedHashMap<>();
  /**
   * Outbound QoS 2 packets decided but held until the state they follow from is durable: a
   * PUBLISH until its AWAITING_ACK record is, a PUBREL until its AWAITING_PUBCOMP record is.
   * A restart then resends exactly what the client may have seen, with the same packet
   * identifier: PUBLISH with DUP for one it may have, PUBREL for one it released, never a
   * PUBLISH with a new identifier for a message it already has [MQTT-4.4.0-1]. The wait is the
   * store's group commit, shared by every session; in mode queued it does not wait. While
   * anything is held, QoS 0 and 1 packets queue behind it, so the client still receives
   * messages in the order they were routed to it.
   */
  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private long heldTickets;
  private long durableRequestedUpTo;
  private boolean draining;
  private int nextPacketId = 1;
  private long nextSequence = 1;
  private int sendQuota = 65_535;
  /** Publishers' admissions deferred while this session is congested, in arrival order. */
  private final ArrayDeque<Admission> waiting = new ArrayDeque<>();
  /** Last time the client took a queued message or acknowledged one (clock millis). */
  private long lastProgressMillis;
  private boolean fullLogged;
  /** Queued plus in flight; read by other lanes choosing a shared-group member. */
  private volatile int load;

  Outbox(Session session, Lane lane, BrokerCore core) {
    this.session = session;
    this.lane = lane;
    this.core = core;
  }

  /** @return messages waiting to be sent */
  int queuedCount() {
    lane.assertCurrent(session);
    return queue.size();
  }

  /** @return messages sent and not yet acknowledged */
  int inFlightCount() {
    lane.assertCurrent(session);
    return inflight.size();
  }

  /** A connection attached: resends unacknowledged deliveries in order, then drains the queue. */
  void attached(Peer c, int clientReceiveMaximum) {
    lane.assertCurrent(session);
    lastProgressMillis = core.clock.millis();
    sendQuota = Math.min(clientReceiveMaximum, core.config.maxInflight());
    // [MQTT-4.4.0-1] resend unacknowledged PUBLISH (DUP=1) and PUBREL in their original order,
    // a PUBLISH only if the identity connected now may read it (a PUBREL carries no message)
    for (Iterator<StoredDelivery> it = inflight.values().iterator(); it.hasNext(); ) {
      StoredDelivery d = it.next();
      if (d.state() == DeliveryState.AWAITING_ACK && !mayReceive(d.message())) {
        it.remove();
        forget(d);
        readDenied(d.message(), d.sharedFilter());
        continue;
      }
      sendInOrder(c, d, true);
    }
    requestDurable();
    drain();
  }

  /** The connection is gone; what a persistent session keeps stays queued or in flight. */
  void detached() {
    lane.assertCurrent(session);
    // what was held for the connection is resent from the in-flight window on the next one
    held.clear();
    // QoS 0 messages are not kept for an offline client (spec 4.1: MAY), so drop them now
    for (Iterator<StoredDelivery> it = queue.iterator(); it.hasNext(); ) {
      StoredDelivery d = it.next();
      if (d.qos() == QoS.AT_MOST_ONCE) {
        it.remove();
        dequeued(d);
        core.metrics.on(lane).dropped(DropReason.QOS0_OFFLINE);
      }
    }
    // What an online client held back stays queued (or ends with a clean session); its
    // publishers need not wait for a client that is gone
    admitWaiting();
    updateLoad();
  }

  /**
   * Delivers a routed message to this session. QoS 0 goes out at once when the client can take
   * it, waits in the queue while there is room, and is dropped (counted) otherwise. QoS 1/2 for
   * a connected client is never dropped: past the queue bound the session is congested and
   * defers {@code admission}, which holds the publisher's acknowledgement back until the queue
   * has drained. QoS 1/2 for an offline session is bounded by the queue policy.
   */
  void deliver(Message m, QoS qos, boolean retain, List<Integer> subscriptionIds,
      String sharedFilter, Admission admission) {
    lane.assertCurrent(session);
    if (m.isExpired(core.clock.millis())) {
      core.metrics.on(lane).dropped(DropReason.EXPIRED);
      admission.admitted();
      return;
    }
    if (qos == QoS.AT_MOST_ONCE) {
      admission.admitted();
      deliverAtMostOnce(m, retain, subscriptionIds, sharedFilter);
      return;
    }
    StoredDelivery d = new StoredDelivery(nextSequence++, m, qos, retain, subscriptionIds,
        sharedFilter, 0, DeliveryState.QUEUED);
    if (session.peer() == null) {
      if (makeRoomOffline(m.sizeInBytes())) {
        enqueue(d);
      }
      admission.admitted();
      return;
    }
    enqueue(d);
    drain();
    if (isCongested()) {
      waiting.add(admission);
      admission.deferred();
    } else {
      admission.admitted();
    }
  }

  private void deliverAtMostOnce(Message m, boolean retain, List<Integer> subscriptionIds,
      String sharedFilter) {
    Peer c = session.peer();
    if (c == null) {
      core.metrics.on(lane).dropped(DropReason.QOS0_OFFLINE);
      return;
    }
    if (queue.isEmpty() && held.isEmpty() && c.isWritable()) {
      if (mayReceive(m)) {
        sendAtMostOnce(c, new StoredDelivery(0, m, QoS.AT_MOST_ONCE, retain,
            subscriptionIds, null, 0, DeliveryState.QUEUED));
      } else {
        readDenied(m, sharedFilter);
      }
      return;
    }
    if (isCongested() || core.overload.isOverloaded()) {
      // The first thing given up for a slow client, and under memory pressure
      core.metrics.on(lane).dropped(DropReason.QOS0_SLOW_SUBSCRIBER);
      return;
    }
    enqueue(new StoredDelivery(nextSequence++, m, QoS.AT_MOST_ONCE, retain, subscriptionIds,
        sharedFilter, 0, DeliveryState.QUEUED));
    drain();
  }

  /** @return whether the backlog is at its bound: messages wait, publishers are slowed */
  boolean isCongested() {
    return queue.size() >= core.config.maxQueuedMessages()
        || queuedBytes >= core.config.maxQueuedBytes();
  }

  /** Below half the bound a congested session lets its publishers go on. */
  private boolean hasDrainedEnough() {
    return queue.size() <= core.config.maxQueuedMessages() / 2
        && queuedBytes <= core.config.maxQueuedBytes() / 2;
  }

  /**
   * An offline session's queue is bounded: drop-oldest or reject-new, counted and logged once
   * per time it fills.
   *
   * @return whether a new message of that many bytes may be queued
   */
  private boolean makeRoomOffline(long size) {
    if (fitsOffline(size)) {
      fullLogged = false;
      return true;
    }
    logQueueFull();
    if (core.config.queueFullPolicy() == QueueFullPolicy.DROP_OLDEST) {
      while (!queue.isEmpty() && !fitsOffline(size)) {
        StoredDelivery oldest = queue.poll();
        dequeued(oldest);
        forget(oldest);
        core.metrics.on(lane).dropped(DropReason.OFFLINE_QUEUE_FULL);
      }
      if (fitsOffline(size)) {
        return true;
      }
    }
    core.metrics.on(lane).dropped(DropReason.OFFLINE_QUEUE_FULL);
    return false;
  }

  private boolean fitsOffline(long size) {
    return queue.size() < core.config.maxQueuedMessages()
        && queuedBytes + size <= core.config.maxQueuedBytes();
  }

  private void logQueueFull() {
    if (!fullLogged) {
      fullLogged = true;
      LOG.warning(() -> "Queue of offline session " + session.clientId() + " is full (" + queue.size()
          + " messages, " + queuedBytes + " bytes; mqtt.queue.max-messages / max-bytes); "
          + core.config.queueFullPolicy().name().toLowerCase(java.util.Locale.ROOT)
              .replace('_', '-') + " drops messages until it reconnects");
    }
  }

  private void enqueue(StoredDelivery d) {
    // Stored first: a store that throws leaves no copy in memory, so the failed delivery is
    // not half made (the publisher's resend must find this session without the message)
    if (d.qos() != QoS.AT_MOST_ONCE && session.isPersistent()) {
      core.persistence.queues().put(session.clientId(), d);
    }
    if (queue.isEmpty()) {
      // The client's time to take something starts now, not at its last acknowledgement
      lastProgressMillis = core.clock.millis();
    }
    queue.add(d);
    queuedBytes += d.message().sizeInBytes();
    core.metrics.on(lane).queued(1);
    updateLoad();
  }

  private void dequeued(StoredDelivery d) {
    queuedBytes -= d.message().sizeInBytes();
    core.metrics.on(lane).queued(-1);
  }

  private void forget(StoredDelivery d) {
    if (d.qos() != QoS.AT_MOST_ONCE && session.isPersistent()) {
      core.persistence.queues().remove(session.clientId(), d.sequence());
    }
  }

  /** Sends queued messages while connected, writable and within the client's Receive Maximum. */
  void drain() {
    lane.assertCurrent(session);
    draining = true;
    try {
      drainWindow();
    } finally {
      draining = false;
    }
    requestDurable();
  }

  private void drainWindow() {
    Peer c = session.peer();
    long now = core.clock.millis();
    while (c != null && !queue.isEmpty() && c.isWritable()) {
      StoredDelivery d = queue.peek();
      boolean needsId = d.qos() != QoS.AT_MOST_ONCE;
      if (needsId && inflight.size() >= sendQuota) {
        break;
      }
      queue.poll();
      dequeued(d);
      lastProgressMillis = now;
      if (d.message().isExpired(now)) {
        forget(d);
        core.metrics.on(lane).dropped(DropReason.EXPIRED);
        continue;
      }
      if (!mayReceive(d.message())) {
        forget(d);
        readDenied(d.message(), d.sharedFilter());
        continue;
      }
      if (!needsId) {
        sendInOrder(c, d, false);
        continue;
      }
      StoredDelivery sent = d.withState(allocatePacketId(), DeliveryState.AWAITING_ACK);
      inflight.put(sent.packetId(), sent);
      if (session.isPersistent()) {
        core.persistence.queues().put(session.clientId(), sent);
      }
      sendInOrder(c, sent, false);
    }
    if (!waiting.isEmpty() && hasDrainedEnough()) {
      admitWaiting();
    }
    updateLoad();
  }

  /**
   * Sends a delivery: PUBREL once the client released it, else PUBLISH.
   *
   * @return false if the PUBLISH was too large for the client and an in-flight delivery was
   *     discarded
   */
  private boolean sendInflight(Peer c, StoredDelivery d, boolean dup) {
    if (d.qos() == QoS.AT_MOST_ONCE) {
      sendAtMostOnce(c, d);
      return true;
    }
    if (d.state() == DeliveryState.AWAITING_PUBCOMP) {
      c.sendPubRel(d.packetId());
      return true;
    }
    if (c.sendPublish(d, dup)) {
      return true;
    }
    // [MQTT-3.1.2-25] too large for the client: discard as if acknowledged
    inflight.remove(d.packetId());
    forget(d);
    core.metrics.on(lane).dropped(DropReason.TOO_LARGE);
    return false;
  }

  /** A packet waiting for the store, or behind one that does; see {@link #held}. */
  private record Held(StoredDelivery delivery, boolean dup, Peer connection,
      long ticket) {
  }

  /**
   * Sends now, unless it is a QoS 2 packet of a stored session (held until the store made its
   * state durable) or something is held already (then it waits behind it).
   */
  private void sendInOrder(Peer c, StoredDelivery d, boolean dup) {
    if (held.isEmpty() && (d.qos() != QoS.EXACTLY_ONCE || !session.isPersistent())) {
      sendInflight(c, d, dup);
      return;
    }
    held.add(new Held(d, dup, c, ++heldTickets));
  }

  /** Asks the store for one callback covering every packet held so far. */
  private void requestDurable() {
    if (held.isEmpty() || durableRequestedUpTo == heldTickets) {
      return;
    }
    long upTo = heldTickets;
    durableRequestedUpTo = upTo;
    core.persistence.afterDurable(() -> lane.executeOrRun(() -> sendDurable(upTo)));
  }

  /**
   * Sends, in order, the held packets whose state was written before the callback was asked
   * for. One whose connection ended, or whose delivery was completed or taken meanwhile, is
   * skipped: the next connection resends from the in-flight window.
   */
  private void sendDurable(long upTo) {
    boolean discarded = false;
    while (!held.isEmpty() && held.peek().ticket() <= upTo) {
      Held h = held.poll();
      StoredDelivery d = h.delivery();
      boolean current = d.qos() == QoS.AT_MOST_ONCE || inflight.get(d.packetId()) == d;
      if (h.connection() == session.peer() && current
          && !sendInflight(h.connection(), d, h.dup())) {
        discarded = true;
      }
    }
    if (discarded && !draining) {
      drain();
    }
    updateLoad();
  }

  /** Lets every publisher held back by this session's backlog have its acknowledgement. */
  private void admitWaiting() {
    while (!waiting.isEmpty()) {
      waiting.poll().admittedAfterDeferral();
    }
  }

  /**
   * @return whether the client has messages waiting and has taken none of them (nor
   *     acknowledged any delivery) for the given time
   */
  boolean isStuck(long nowMillis, long timeoutMillis) {
    lane.assertCurrent(session);
    return session.peer() != null && !queue.isEmpty()
        && nowMillis - lastProgressMillis > timeoutMillis;
  }

  /**
   * @return whether the client holds back a message longer than its sender allows: a message
   *     a cluster peer forwarded, whose publisher there waits for this session's admission
   */
  boolean holdsPastLimit(long nowMillis) {
    lane.assertCurrent(session);
    if (session.peer() == null) {
      return false;
    }
    // all waiting admissions go together, so the earliest limit counts
    for (Admission waiter : waiting) {
      if (nowMillis > waiter.admitByMillis()) {
        return true;
      }
    }
    return false;
  }

  /** Sends a QoS 0 delivery; one too large for the client is dropped [MQTT-3.1.2-25]. */
  private void sendAtMostOnce(Peer c, StoredDelivery d) {
    if (!c.sendPublish(d, false)) {
      core.metrics.on(lane).dropped(DropReason.TOO_LARGE);
    }
  }

  /**
   * A wide subscription carries only the topics this client may read; asked when the message
   * goes on the wire, with the identity of the connection attached then.
   */
  private boolean mayReceive(Message m) {
    return session.mayRead(m.topic());
  }

  /**
   * A message this session's current identity may not read is not sent. One of a shared
   * subscription goes to another member of the group that may read it; otherwise it is dropped
   * and counted ({@link DropReason#READ_DENIED}).
   */
  private void readDenied(Message m, String sharedFilter) {
    if (sharedFilter != null && core.router.redistribute(m, sharedFilter, session.clientId())) {
      return;
    }
    core.metrics.on(lane).dropped(DropReason.READ_DENIED);
  }

  private int allocatePacketId() {
    while (true) {
      int id = nextPacketId;
      nextPacketId = id == 0xFFFF ? 1 : id + 1;
      if (!inflight.containsKey(id)) {
        return id;
      }
    }
  }

  /** PUBACK (QoS 1) or PUBCOMP (QoS 2) or an error PUBREC: the delivery is complete. */
  boolean complete(int packetId) {
    lane.assertCurrent(session);
    StoredDelivery d = inflight.remove(packetId);
    if (d == null) {
      return false;
    }
    lastProgressMillis = core.clock.millis();
    forget(d);
    drain();
    return true;
  }

  /**
   * PUBREC: moves a QoS 2 delivery to waiting for PUBCOMP and sends PUBREL once that is
   * durable (at once for a repeated PUBREC); returns false if unknown.
   */
  boolean received(int packetId) {
    lane.assertCurrent(session);
    StoredDelivery d = inflight.get(packetId);
    if (d == null) {
      return false;
    }
    lastProgressMillis = core.clock.millis();
    if (d.state() != DeliveryState.AWAITING_PUBCOMP) {
      d = d.withState(packetId, DeliveryState.AWAITING_PUBCOMP);
      inflight.put(packetId, d);
      if (session.isPersistent()) {
        core.persistence.queues().put(session.clientId(), d);
      }
    }
    Peer c = session.peer();
    if (c != null) {
      sendInOrder(c, d, false);
      requestDurable();
    }
    return true;
  }

  private void updateLoad() {
    load = queue.size() + inflight.size();
  }

  /** @return queued plus in-flight messages; readable from any thread */
  int load() {
    return load;
  }

  /** Removes and returns every delivery that came through the given shared subscription. */
  List<StoredDelivery> takeShared(String sharedFilter) {
    lane.assertCurrent(session);
    List<StoredDelivery> taken = new ArrayList<>();
    for (Iterator<StoredDelivery> it = queue.iterator(); it.hasNext(); ) {
      StoredDelivery d = it.next();
      if (sharedFilter == null ? d.sharedFilter() != null : sharedFilter.equals(d.sharedFilter())) {
        it.remove();
        dequeued(d);
        forget(d);
        taken.add(d);
      }
    }
    for (Iterator<StoredDelivery> it = inflight.values().iterator(); it.hasNext(); ) {
      StoredDelivery d = it.next();
      boolean matches = sharedFilter == null ? d.sharedFilter() != null
          : sharedFilter.equals(d.sharedFilter());
      // PUBREL already sent means the client has the message; it must not be sent twice
      if (matches && d.state() == DeliveryState.AWAITING_ACK) {
        it.remove();
        forget(d);
        taken.add(d);
      }
    }
    if (hasDrainedEnough()) {
      admitWaiting();
    }
    updateLoad();
    return taken;
  }

  /** @return whether this session holds that QoS 2 message, queued or in flight */
  boolean holdsQos2(Message m) {
    lane.assertCurrent(session);
    return Qos2Duplicates.heldIn(inflight.values(), m) || Qos2Duplicates.heldIn(queue, m);
  }

  /** @return every delivery in flight, in its order, then every one queued, in order */
  List<StoredDelivery> export() {
    lane.assertCurrent(session);
    List<StoredDelivery> all = new ArrayList<>(inflight.values());
    all.addAll(queue);
    return all;
  }

  /** Drops everything queued and in flight (session end). */
  void clearDeliveries() {
    lane.assertCurrent(session);
    for (StoredDelivery d : queue) {
      dequeued(d);
    }
    queue.clear();
    inflight.clear();
    held.clear();
    admitWaiting();
    updateLoad();
  }

  /** Purges expired messages from the queue of an offline session. */
  void purgeExpired(long nowMillis) {
    lane.assertCurrent(session);
    for (Iterator<StoredDelivery> it = queue.iterator(); it.hasNext(); ) {
      StoredDelivery d = it.next();
      if (d.message().isExpired(nowMillis)) {
        it.remove();
        dequeued(d);
        forget(d);
        core.metrics.on(lane).dropped(DropReason.EXPIRED);
      }
    }
    updateLoad();
  }

  /** Restores deliveries read from the store at start. */
  void restore(List<StoredDelivery> deliveries) {
    lane.assertCurrent(session);
    for (StoredDelivery d : deliveries) {
      nextSequence = Math.max(nextSequence, d.sequence() + 1);
      if (d.state() == DeliveryState.QUEUED) {
        queue.add(d);
        queuedBytes += d.message().sizeInBytes();
        core.metrics.on(lane).queued(1);
      } else {
        inflight.put(d.packetId(), d);
        nextPacketId = d.packetId() == 0xFFFF ? 1 : d.packetId() + 1;
      }
    }
    updateLoad();
  }
}
