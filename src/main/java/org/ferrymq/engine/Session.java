package org.ferrymq.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.ferrymq.config.QueueFullPolicy;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.Will;
import org.ferrymq.persistence.DeliveryState;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.security.ClientIdentity;
import org.ferrymq.topic.SubscriptionEntry;

/**
 * The state of one client session: subscriptions, the outbound queue and in-flight QoS 1/2
 * deliveries, inbound QoS 2 state, and a pending Will.
 *
 * <p>Confined to its {@link Lane}: every method runs on that lane, except the volatile
 * {@link #online} and {@link #load} read by other lanes when choosing shared-group members.
 */
final class Session {
  static final long NEVER_EXPIRES = 0xFFFF_FFFFL;

  final String clientId;
  final Lane lane;
  private final BrokerCore core;

  ProtocolVersion version = ProtocolVersion.MQTT_5;
  long expiryIntervalSeconds;
  long disconnectedAtMillis;
  ClientIdentity identity;
  ConnectionHandler connection;
  /** In-process subscriber instead of a network client. */
  Consumer<Message> localListener;

  final Map<String, SubscriptionEntry> subscriptions = new LinkedHashMap<>();
  final Set<Integer> awaitingPubrel = new HashSet<>();

  private final ArrayDeque<StoredDelivery> queue = new ArrayDeque<>();
  private long queuedBytes;
  private final LinkedHashMap<Integer, StoredDelivery> inflight = new LinkedHashMap<>();
  private int nextPacketId = 1;
  private long nextSequence = 1;
  private int sendQuota = 65_535;

  Will pendingWill;
  long willDueMillis;

  volatile boolean online;
  volatile int load;

  Session(String clientId, Lane lane, BrokerCore core) {
    this.clientId = clientId;
    this.lane = lane;
    this.core = core;
  }

  boolean isPersistent() {
    return expiryIntervalSeconds > 0;
  }

  // ---------------------------------------------------------------- connection lifecycle

  /** Attaches a connection; resends unacknowledged deliveries in order, then drains the queue. */
  void attach(ConnectionHandler c, int clientReceiveMaximum) {
    connection = c;
    online = true;
    disconnectedAtMillis = 0;
    pendingWill = null;
    sendQuota = Math.min(clientReceiveMaximum, core.config.maxInflight());
    // [MQTT-4.4.0-1] resend unacknowledged PUBLISH (DUP=1) and PUBREL in their original order
    for (StoredDelivery d : inflight.values()) {
      if (d.state() == DeliveryState.AWAITING_PUBCOMP) {
        c.sendPubRel(d.packetId());
      } else if (!c.sendPublish(d, true)) {
        core.metrics.on(lane).dropped();
      }
    }
    drain();
  }

  /** The connection is gone; keeps state for a persistent session. */
  void detach(long nowMillis) {
    connection = null;
    online = false;
    disconnectedAtMillis = nowMillis;
    // QoS 0 messages are not kept for an offline client (spec 4.1: MAY), so drop them now
    for (Iterator<StoredDelivery> it = queue.iterator(); it.hasNext(); ) {
      StoredDelivery d = it.next();
      if (d.qos() == QoS.AT_MOST_ONCE) {
        it.remove();
        dequeued(d);
        core.metrics.on(lane).dropped();
      }
    }
    updateLoad();
  }

  // ---------------------------------------------------------------- outbound delivery

  /**
   * Delivers a routed message to this session: at once when connected and within the send
   * quota, else into the bounded queue.
   */
  void deliver(Message m, QoS qos, boolean retain, List<Integer> subscriptionIds,
      String sharedFilter) {
    if (m.isExpired(core.clock.millis())) {
      core.metrics.on(lane).dropped();
      return;
    }
    if (localListener != null) {
      core.metrics.on(lane).published();
      localListener.accept(retain == m.retain() ? m : m.withRetain(retain));
      return;
    }
    if (qos == QoS.AT_MOST_ONCE) {
      if (connection == null) {
        core.metrics.on(lane).dropped();
        return;
      }
      if (queue.isEmpty() && connection.isWritable()) {
        if (mayReceive(m)) {
          sendAtMostOnce(connection, new StoredDelivery(0, m, qos, retain, subscriptionIds, null,
              0, DeliveryState.QUEUED));
        }
        return;
      }
    }
    StoredDelivery d = new StoredDelivery(nextSequence++, m, qos, retain, subscriptionIds,
        sharedFilter, 0, DeliveryState.QUEUED);
    if (enqueue(d)) {
      drain();
    }
  }

  private boolean enqueue(StoredDelivery d) {
    int size = d.message().payload().length;
    boolean full = queue.size() >= core.config.maxQueuedMessages()
        || queuedBytes + size > core.config.maxQueuedBytes();
    if (full) {
      if (core.config.queueFullPolicy() == QueueFullPolicy.REJECT_NEW || queue.isEmpty()) {
        core.metrics.on(lane).dropped();
        return false;
      }
      StoredDelivery oldest = queue.poll();
      dequeued(oldest);
      forget(oldest);
      core.metrics.on(lane).dropped();
    }
    queue.add(d);
    queuedBytes += size;
    core.metrics.on(lane).queued(1);
    if (d.qos() != QoS.AT_MOST_ONCE && isPersistent()) {
      core.persistence.queues().put(clientId, d);
    }
    updateLoad();
    return true;
  }

  private void dequeued(StoredDelivery d) {
    queuedBytes -= d.message().payload().length;
    core.metrics.on(lane).queued(-1);
  }

  private void forget(StoredDelivery d) {
    if (d.qos() != QoS.AT_MOST_ONCE && isPersistent()) {
      core.persistence.queues().remove(clientId, d.sequence());
    }
  }

  /** Sends queued messages while connected, writable and within the client's Receive Maximum. */
  void drain() {
    ConnectionHandler c = connection;
    long now = core.clock.millis();
    while (c != null && !queue.isEmpty() && c.isWritable()) {
      StoredDelivery d = queue.peek();
      boolean needsId = d.qos() != QoS.AT_MOST_ONCE;
      if (needsId && inflight.size() >= sendQuota) {
        break;
      }
      queue.poll();
      dequeued(d);
      if (d.message().isExpired(now)) {
        forget(d);
        core.metrics.on(lane).dropped();
        continue;
      }
      if (!mayReceive(d.message())) {
        forget(d);
        continue;
      }
      if (!needsId) {
        sendAtMostOnce(c, d);
        continue;
      }
      StoredDelivery sent = d.withState(allocatePacketId(), DeliveryState.AWAITING_ACK);
      inflight.put(sent.packetId(), sent);
      if (isPersistent()) {
        core.persistence.queues().put(clientId, sent);
      }
      if (!c.sendPublish(sent, false)) {
        // [MQTT-3.1.2-25] too large for the client: discard as if acknowledged
        inflight.remove(sent.packetId());
        forget(sent);
        core.metrics.on(lane).dropped();
      }
    }
    updateLoad();
  }

  /** Sends a QoS 0 delivery; one too large for the client is dropped [MQTT-3.1.2-25]. */
  private void sendAtMostOnce(ConnectionHandler c, StoredDelivery d) {
    if (!c.sendPublish(d, false)) {
      core.metrics.on(lane).dropped();
    }
  }

  /**
   * A wide subscription carries only the topics this client may read; asked when the message
   * goes on the wire, with the identity of the connection attached then.
   */
  private boolean mayReceive(Message m) {
    return identity == null || core.authorizer.canReceive(identity, m.topic());
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
    StoredDelivery d = inflight.remove(packetId);
    if (d == null) {
      return false;
    }
    forget(d);
    drain();
    return true;
  }

  /** PUBREC: moves a QoS 2 delivery to waiting for PUBCOMP; returns false if unknown. */
  boolean received(int packetId) {
    StoredDelivery d = inflight.get(packetId);
    if (d == null) {
      return false;
    }
    if (d.state() != DeliveryState.AWAITING_PUBCOMP) {
      StoredDelivery released = d.withState(packetId, DeliveryState.AWAITING_PUBCOMP);
      inflight.put(packetId, released);
      if (isPersistent()) {
        core.persistence.queues().put(clientId, released);
      }
    }
    return true;
  }

  private void updateLoad() {
    load = queue.size() + inflight.size();
  }

  int queuedAndInflight() {
    return queue.size() + inflight.size();
  }

  /** Removes and returns every delivery that came through the given shared subscription. */
  List<StoredDelivery> takeShared(String sharedFilter) {
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
    updateLoad();
    return taken;
  }

  /** Drops everything queued and in flight (session end). */
  void clearDeliveries() {
    for (StoredDelivery d : queue) {
      dequeued(d);
    }
    queue.clear();
    inflight.clear();
    updateLoad();
  }

  /** Purges expired messages from the queue of an offline session. */
  void purgeExpired(long nowMillis) {
    for (Iterator<StoredDelivery> it = queue.iterator(); it.hasNext(); ) {
      StoredDelivery d = it.next();
      if (d.message().isExpired(nowMillis)) {
        it.remove();
        dequeued(d);
        forget(d);
        core.metrics.on(lane).dropped();
      }
    }
    updateLoad();
  }

  // ---------------------------------------------------------------- persistence

  StoredSession snapshot() {
    return new StoredSession(clientId, version.level(), expiryIntervalSeconds,
        disconnectedAtMillis, new ArrayList<>(subscriptions.values()), awaitingPubrel);
  }

  /** Writes the session record if the session outlives its connection. */
  void persist() {
    if (isPersistent() && localListener == null) {
      core.persistence.sessions().save(snapshot());
    }
  }

  /** Restores deliveries read from the store at start. */
  void restore(List<StoredDelivery> deliveries) {
    for (StoredDelivery d : deliveries) {
      nextSequence = Math.max(nextSequence, d.sequence() + 1);
      if (d.state() == DeliveryState.QUEUED) {
        queue.add(d);
        queuedBytes += d.message().payload().length;
        core.metrics.on(lane).queued(1);
      } else {
        inflight.put(d.packetId(), d);
        nextPacketId = d.packetId() == 0xFFFF ? 1 : d.packetId() + 1;
      }
    }
    updateLoad();
  }

  boolean sessionExpired(long nowMillis) {
    return connection == null && localListener == null
        && expiryIntervalSeconds != NEVER_EXPIRES
        && nowMillis - disconnectedAtMillis >= expiryIntervalSeconds * 1000;
  }
}
