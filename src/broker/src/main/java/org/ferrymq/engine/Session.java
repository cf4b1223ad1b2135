package org.ferrymq.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ferrymq.message.Message;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.Will;
import org.ferrymq.persistence.SessionOwner;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.security.ClientIdentity;
import org.ferrymq.topic.SubscriptionEntry;
import org.ferrymq.transport.TransportKind;

/**
 * The state of one client session: who it is and belongs to, its subscriptions, the attached
 * connection, inbound QoS 2 receipts, a pending Will and its stored record. Outbound deliveries
 * (queue, in-flight window) are its {@link Outbox}.
 *
 * <p>Confined to its {@link Lane}: every field is private, and every method that changes or
 * reads lane-confined state checks, when assertions are enabled, that the calling thread runs
 * that lane ({@link Lane#assertCurrent}). Other threads use only {@link #identity()}, {@link
 * #isOnline()} and {@link #load()} (volatile; other lanes read them when choosing a shared-group
 * member) and {@link #summary()}, built from an immutable {@link View} the lane publishes.
 */
final class Session implements DeliveryTarget, SessionHandle {
  static final long NEVER_EXPIRES = 0xFFFF_FFFFL;

  private final String clientId;
  private final Lane lane;
  private final BrokerCore core;

  private ProtocolVersion version = ProtocolVersion.MQTT_5;
  /** Volatile: a router on another lane asks whether the session outlives its connection. */
  private volatile long expiryIntervalSeconds;
  private long disconnectedAtMillis;
  /**
   * The identity of the attached connection (while offline: of the last one, or the owner's
   * after a restart). Every message is checked against it when it goes on the wire; volatile
   * because other lanes read it when choosing a shared-group member.
   */
  private volatile ClientIdentity identity;
  /** Who the session belongs to; null only for one recovered from an older store, unclaimed. */
  private SessionOwner owner;
  private ConnectionHandler connection;
  /** What the outbox sends to while online: the connection, or an in-process consumer. */
  private Peer peer;

  private final Map<String, SubscriptionEntry> subscriptions = new LinkedHashMap<>();
  private final InboundQos2 inbound = new InboundQos2();
  /** Made at an MQTT 3 client's first QoS 1 message in a cluster. */
  private Qos1BreakOffs qos1BreakOffs;
  /** What other threads may read about this session; replaced, never changed, by the lane. */
  private volatile View view = View.OFFLINE;
  private final Outbox outbox;

  /** Places held under mqtt.max-sessions / mqtt.max-persistent-sessions ({@link SessionSlots}). */
  private boolean holdsSlot;
  private boolean holdsPersistentSlot;

  private Will pendingWill;
  private long willDueMillis;

  private volatile boolean online;
  /** Null unless the session moved between nodes a moment ago; one test per delivery. */
  private Moved moved;

  Session(String clientId, Lane lane, BrokerCore core) {
    this.clientId = clientId;
    this.lane = lane;
    this.core = core;
    this.outbox = new Outbox(this, lane, core);
  }

  /**
   * The admin view of a session, published by its lane at each change other than message
   * traffic; the queue length is read live from {@link #load()}.
   */
  record View(boolean connected, TransportKind transport, ProtocolVersion version,
      Instant connectedSince, int subscriptions) {
    static final View OFFLINE = new View(false, null, ProtocolVersion.MQTT_5, null, 0);
  }

  /** Checks, when assertions are enabled, that the calling thread runs this session's lane. */
  private void confined() {
    lane.assertCurrent(this);
  }

  @Override
  public String clientId() {
    return clientId;
  }

  @Override
  public String key() {
    return clientId;
  }

  ProtocolVersion version() {
    confined();
    return version;
  }

  long expiryIntervalSeconds() {
    confined();
    return expiryIntervalSeconds;
  }

  /** A DISCONNECT changed the expiry interval. */
  void expireAfter(long seconds) {
    confined();
    expiryIntervalSeconds = seconds;
  }

  /** @return the identity messages are checked against; readable from any thread */
  ClientIdentity identity() {
    return identity;
  }

  SessionOwner owner() {
    confined();
    return owner;
  }

  void ownedBy(SessionOwner newOwner) {
    confined();
    owner = newOwner;
  }

  /** A CONNECT resumed or created this session for a client of that version and identity. */
  void connectedAs(ProtocolVersion newVersion, ClientIdentity newIdentity, long expirySeconds) {
    confined();
    version = newVersion;
    identity = newIdentity;
    expiryIntervalSeconds = expirySeconds;
    publishView();
  }

  /** The connected client authenticated again (MQTT 5 AUTH), possibly as someone else. */
  void reauthenticated(ClientIdentity newIdentity) {
    confined();
    identity = newIdentity;
    publishView();
  }

  /** @return the attached connection, null while offline */
  ConnectionHandler connection() {
    confined();
    return connection;
  }

  /** @return what deliveries go to now: the connection or an in-process peer; null offline */
  Peer peer() {
    confined();
    return peer;
  }

  /** @return whether the session holds a subscription with that full filter */
  boolean hasSubscription(String fullFilter) {
    confined();
    return subscriptions.containsKey(fullFilter);
  }

  /** @return the full filters of the session's subscriptions, in the order made */
  List<String> subscriptionFilters() {
    confined();
    return List.copyOf(subscriptions.keySet());
  }

  int subscriptionCount() {
    confined();
    return subscriptions.size();
  }

  /** Records a subscription the index now holds, replacing one with the same full filter. */
  void subscribed(SubscriptionEntry entry) {
    confined();
    subscriptions.put(entry.fullFilter(), entry);
    publishView();
  }

  void unsubscribed(String fullFilter) {
    confined();
    subscriptions.remove(fullFilter);
    publishView();
  }

  /** @return the inbound QoS 2 receipts, confined to the lane like the rest */
  InboundQos2 inbound() {
    confined();
    return inbound;
  }

  /** @return the QoS 1 messages whose routing broke off, confined to the lane */
  Qos1BreakOffs qos1BreakOffs() {
    confined();
    if (qos1BreakOffs == null) {
      qos1BreakOffs = new Qos1BreakOffs();
    }
    return qos1BreakOffs;
  }

  /** Holds the Will of the connection that ended until it is due [MQTT-3.1.3-9]. */
  void holdWill(Will will, long dueMillis) {
    confined();
    pendingWill = will;
    willDueMillis = dueMillis;
  }

  /** @return the held Will, now taken (the session ends or it is due), or null */
  Will takeWill() {
    confined();
    Will w = pendingWill;
    pendingWill = null;
    return w;
  }

  /** @return the held Will if it is due at {@code nowMillis}, now taken, else null */
  Will takeWillDue(long nowMillis) {
    confined();
    return pendingWill != null && nowMillis >= willDueMillis ? takeWill() : null;
  }

  /**
   * Restores what a stored record says at start: version, expiry (capped), disconnection time,
   * owner and subscriptions. Deliveries, receipts and the Will follow separately.
   */
  void recover(StoredSession record, ProtocolVersion recordVersion, long maxExpirySeconds,
      long nowMillis) {
    confined();
    version = recordVersion;
    expiryIntervalSeconds = Math.min(record.expiryIntervalSeconds(), maxExpirySeconds);
    disconnectedAtMillis = record.disconnectedAtMillis() == 0 ? nowMillis
        : record.disconnectedAtMillis();
    owner = record.owner();
    identity = SessionOwnership.identityOf(record.owner(), record.clientId());
    for (SubscriptionEntry e : record.subscriptions()) {
      subscriptions.put(e.fullFilter(), e);
    }
    publishView();
  }

  /** @return the admin view of this session; safe from any thread */
  ClientSummary summary() {
    View v = view;
    ClientIdentity current = identity;
    return new ClientSummary(clientId, v.connected(), v.transport(), v.version(),
        v.connectedSince(), v.subscriptions(), outbox.load(),
        current == null ? null : current.username());
  }

  /** @return the detail view of this session; on the lane only */
  ClientDetail detail() {
    confined();
    ConnectionHandler c = connection;
    java.net.InetSocketAddress remote = c == null ? null : c.transport().info().remoteAddress();
    return new ClientDetail(summary(), expiryIntervalSeconds,
        remote == null ? null : remote.getHostString() + ":" + remote.getPort(),
        outbox.queuedCount(), outbox.inFlightCount(), new ArrayList<>(subscriptions.values()));
  }

  private void publishView() {
    ConnectionHandler c = connection;
    view = new View(peer != null, c == null ? null : c.transport().info().kind(), version,
        c == null ? null : Instant.ofEpochMilli(c.connectedAtMillis()), subscriptions.size());
  }

  @Override
  public Lane lane() {
    return lane;
  }

  @Override
  public boolean isOnline() {
    return online;
  }

  @Override
  public int load() {
    return outbox.load();
  }

  /** @return the outbound queue and in-flight window; on the lane only */
  Outbox outbox() {
    confined();
    return outbox;
  }

  /**
   * Takes one routed message into the outbox; an in-process subscriber takes it directly
   * instead ({@link InProcessSubscriber}).
   */
  @Override
  public void deliver(Message m, QoS qos, boolean retain, List<Integer> subscriptionIds,
      String sharedFilter, Admission admission) {
    confined();
    if (moved != null && tookAsMoved(m, qos, retain, subscriptionIds, sharedFilter, admission)) {
      return;
    }
    outbox.deliver(m, qos, retain, subscriptionIds, sharedFilter, admission);
  }

  /**
   * A session that left for another node passes what was routed to it before it left on to
   * its forwarding entry; one that arrived a moment ago takes no message twice.
   *
   * @return whether the delivery was dealt with here
   */
  private boolean tookAsMoved(Message m, QoS qos, boolean retain, List<Integer> subscriptionIds,
      String sharedFilter, Admission admission) {
    if (moved.forwarding() != null) {
      moved.forwarding().deliver(m, qos, retain, subscriptionIds, sharedFilter, admission);
      return true;
    }
    RecentDeliveries recent = moved.recentlyTaken();
    if (recent.isOver(System.nanoTime())) {
      moved = null;
      return false;
    }
    if (!recent.takenBefore(m)) {
      return false;
    }
    // the other copy of a message two nodes handed it while it moved here
    admission.admitted();
    return true;
  }

  /** The session moved here: for a while, a message it took is not delivered again. */
  void rememberTaken(RecentDeliveries memory) {
    confined();
    moved = new Moved(memory, null);
  }

  /**
   * The session left this node: deliveries routed to it before it left, still queued on its
   * lane, follow it through its forwarding entry.
   */
  void leftFor(MovedSession forwarding) {
    confined();
    moved = new Moved(null, forwarding);
  }

  /** @return the messages it took lately, for the node it moves to next */
  List<MessageOrigin> recentlyTaken() {
    confined();
    RecentDeliveries recent = moved == null ? null : moved.recentlyTaken();
    return recent == null || recent.isOver(System.nanoTime()) ? List.of()
        : recent.identities();
  }

  /** Around a move: the memory after arriving, or the forwarding entry after leaving. */
  private record Moved(RecentDeliveries recentlyTaken, MovedSession forwarding) {
  }

  /**
   * Reads the identity across lanes: the field is volatile, the identity immutable. An
   * application's session ({@link InProcessSessions}) reads in the broker's own name, as an
   * in-process subscriber does.
   */
  @Override
  public boolean mayRead(String topic) {
    if (InProcessSubscribers.isInProcessKey(clientId)) {
      return true;
    }
    ClientIdentity current = identity;
    return current == null || core.authorizer.canReceive(current, topic);
  }

  @Override
  public String toString() {
    return clientId;
  }

  /** @return whether the session outlives its connection (expiry above 0); from any lane */
  boolean isPersistent() {
    return expiryIntervalSeconds > 0;
  }

  boolean holdsSlot() {
    return holdsSlot;
  }

  boolean holdsPersistentSlot() {
    return holdsPersistentSlot;
  }

  void holdSlots(boolean session, boolean persistent) {
    confined();
    holdsSlot = session;
    holdsPersistentSlot = persistent;
  }

  /**
   * Gives this session's places to the CONNECT replacing or resuming it: whatever ends this
   * session from now on frees nothing, so no other client can take them meanwhile.
   *
   * @return whether it held a persistent place
   */
  boolean handOverSlots() {
    confined();
    boolean persistent = holdsPersistentSlot;
    holdSlots(false, false);
    return persistent;
  }

  // ---------------------------------------------------------------- connection lifecycle

  /** Attaches a connection; resends unacknowledged deliveries in order, then drains the queue. */
  void attach(ConnectionHandler c, int clientReceiveMaximum) {
    confined();
    connection = c;
    attachPeer(c, clientReceiveMaximum);
  }

  /**
   * Attaches an in-process consumer ({@link InProcessSessions}) as if a client had connected
   * with that Receive Maximum: unacknowledged deliveries are resent, then the queue drains.
   */
  void attachInProcess(Peer p, int receiveMaximum) {
    confined();
    attachPeer(p, receiveMaximum);
  }

  private void attachPeer(Peer p, int receiveMaximum) {
    peer = p;
    online = true;
    disconnectedAtMillis = 0;
    pendingWill = null;
    outbox.attached(p, receiveMaximum);
    publishView();
  }

  /** The connection (or in-process consumer) is gone; keeps state for a persistent session. */
  void detach(long nowMillis) {
    confined();
    connection = null;
    peer = null;
    online = false;
    disconnectedAtMillis = nowMillis;
    outbox.detached();
    publishView();
  }

  // ---------------------------------------------------------------- persistence

  StoredSession snapshot() {
    confined();
    Will will = connection != null ? connection.will() : pendingWill;
    return new StoredSession(clientId, version.level(), expiryIntervalSeconds,
        disconnectedAtMillis, new ArrayList<>(subscriptions.values()), inbound.snapshot(),
        inbound.nextSequence(), will, connection != null ? 0 : willDueMillis, owner);
  }

  /** Writes the session record if the session outlives its connection. */
  void persist() {
    confined();
    if (isPersistent()) {
      core.persistence.sessions().save(snapshot());
    }
  }

  boolean sessionExpired(long nowMillis) {
    confined();
    return peer == null && expiryIntervalSeconds != NEVER_EXPIRES
        && nowMillis - disconnectedAtMillis >= expiryIntervalSeconds * 1000;
  }
}
