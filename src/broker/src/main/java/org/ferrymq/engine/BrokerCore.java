package org.ferrymq.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.logging.Logger;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.Will;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.StoreObserver;
import org.ferrymq.security.Authenticator;
import org.ferrymq.security.EnhancedAuthenticator;
import org.ferrymq.security.limit.LoginThrottle;
import org.ferrymq.topic.SubscriptionIndex;
import org.ferrymq.topic.SubscriptionTree;
import org.ferrymq.transport.InboundHandler;
import org.ferrymq.transport.Transport;

/**
 * Wires the engine together and owns its lifecycle: lanes, the timer ({@link BrokerTimer}), the
 * session registry and subscription index it was built with, in-process subscribers and
 * retained messages. Start restores the store ({@link SessionRecovery}); connections and
 * sessions end through {@link SessionEnd}; other threads read it through {@link
 * BrokerReadings}. Package-private; {@link MqttBroker} is the API.
 */
final class BrokerCore {
  private static final Logger LOG = Logger.getLogger(BrokerCore.class.getName());

  final BrokerConfig config;
  final Metrics metrics = new Metrics();
  final Clock clock;
  final Persistence persistence;
  final Authenticator authenticator;
  /** The configured authorizer; its denials are counted in {@link #security}. */
  final CountingAuthorizer authorizer;
  final SecurityCounters security = new SecurityCounters();
  /** Runs credential checks off the lanes; see {@link CredentialCheck}. */
  final AuthExecutor authExecutor;
  final LoginThrottle loginThrottle;
  /** Whether the credential-check queue refused the latest check: logged once per episode. */
  final java.util.concurrent.atomic.AtomicBoolean authQueueFull =
      new java.util.concurrent.atomic.AtomicBoolean();
  final Map<String, EnhancedAuthenticator> enhancedAuthenticators = new HashMap<>();
  /** Network sessions by client id; read through {@link #session}. */
  final SessionRegistry sessions;
  /** Where a CONNECT finds a session another cluster node holds; null on a single node. */
  final SessionHandover handover;
  /** Null on a single node. */
  final ConnectionWills wills;
  /** Null: every QoS 1/2 message may be acknowledged (a single node). */
  final AckSafety ackSafety;
  /** Sessions moving between cluster nodes; null on a single node. */
  final SessionMoves moves;
  /** Forwarded messages a delivery here failed for, and who took them; null on a single node. */
  final PartlyTakenForwards partlyTaken;
  final InProcessSubscribers inProcess = new InProcessSubscribers();
  /** The way to cluster peers; null on a single node, the default. */
  private final PeerLink peerLink;
  /** Cluster peers as receivers, by {@link PeerKey}; empty on a single node. */
  private final Map<String, PeerTarget> peers = new ConcurrentHashMap<>();
  /** How long a session may hold back a message a peer forwarded ({@link #forwardedAdmitBy}). */
  final long forwardTimeoutMillis;
  final SubscriptionIndex index;
  final Router router;
  final RetainedMessages retained;
  final OverloadMonitor overload;
  final SessionSlots slots;
  final QuotaRefusals quotaRefusals = new QuotaRefusals();
  final SessionOwnership ownership = new SessionOwnership();
  /** Client ids, user names and addresses refused at CONNECT ({@link BanCheck}). */
  final org.ferrymq.security.ban.BanList bans;
  private final HeapGauge heapGauge;
  private final Lane[] lanes;
  private final Executor loopExecutor;
  private final Map<MqttConnection, Boolean> unidentified = new ConcurrentHashMap<>();
  private final BrokerTimer timer;
  private final String instanceId = UUID.randomUUID().toString().substring(0, 8);
  private final AtomicLong clientIds = new AtomicLong();
  /**
   * False while the durable store is failed: QoS 1/2 publishes are held on their connections
   * until it is back (see {@link ConnectionHandler#hold}).
   */
  volatile boolean storeAvailable = true;
  private volatile boolean running;
  private volatile long startedAtMillis;
  private CountDownLatch loopsDone;
  private CountDownLatch stopSignal;

  BrokerCore(MqttBroker.Builder b) {
    this.config = b.config;
    this.clock = b.clock;
    this.persistence = b.persistence;
    this.authenticator = b.authenticator;
    this.bans = b.bans;
    this.authorizer = new CountingAuthorizer(b.authorizer, security);
    this.authExecutor = b.authExecutor != null ? b.authExecutor
        : AuthExecutor.ownThreads("ferrymq-auth", config.authThreads(), config.authQueue());
    this.loginThrottle = b.loginThrottle != null ? b.loginThrottle
        : new LoginThrottle(config.authThrottleFailures(), config.authThrottleWindowSeconds(),
            config.authThrottleMaxBackoffSeconds(), config.authThrottleMaxTracked(),
            System::nanoTime);
    b.enhancedAuthenticators.forEach(a -> enhancedAuthenticators.put(a.method(), a));
    this.loopExecutor = b.loopExecutor;
    this.sessions = b.sessionRegistry != null ? b.sessionRegistry : new LocalSessionRegistry();
    this.index = b.subscriptionIndex != null ? b.subscriptionIndex : new SubscriptionTree();
    this.router = new Router(this, index, b.peerLink != null);
    this.peerLink = b.peerLink;
    this.forwardTimeoutMillis = b.forwardTimeout.toMillis();
    this.handover = b.sessionHandover;
    this.wills = b.connectionWills;
    this.ackSafety = b.ackSafety;
    this.partlyTaken = b.peerLink == null ? null : new PartlyTakenForwards();
    this.moves = b.peerLink == null || b.sessionHandover == null ? null
        : new SessionMoves(this, b.peerLink, b.handoverGrace.toNanos());
    this.retained = new RetainedMessages(persistence.retained(), clock,
        config.maxRetainedMessages(), config.maxRetainedBytes());
    this.slots = new SessionSlots(config);
    this.lanes = new Lane[config.lanes()];
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new Lane(i, metrics.newLane());
    }
    this.timer = new BrokerTimer(this, new SysTopics(this, b.version, b.sysExtension));
    this.heapGauge = b.heapUse == null
        ? HeapGauge.install(config.overloadHeapLowPercent() / 100.0) : null;
    this.overload = new OverloadMonitor(b.heapUse == null ? heapGauge : b.heapUse,
        config.overloadHeapHighPercent(), config.overloadHeapLowPercent());
  }

  // ---------------------------------------------------------------- lifecycle

  synchronized void start() {
    if (running) {
      return;
    }
    SessionRecovery.recover(this);
    persistence.observe(new StoreObserver() {
      @Override
      public void storeFailed(String fault) {
        storeAvailable = false;
      }

      @Override
      public void storeRecovered() {
        storeAvailable = true;
        releaseHeldPublishes();
      }
    });
    running = true;
    startedAtMillis = clock.millis();
    loopsDone = new CountDownLatch(lanes.length + 1);
    stopSignal = new CountDownLatch(1);
    for (Lane lane : lanes) {
      loopExecutor.execute(() -> runLoop(lane));
    }
    CountDownLatch stop = stopSignal;
    loopExecutor.execute(() -> runLoop(() -> timer.run(stop)));
    LOG.info(() -> "FerryMQ engine started: " + lanes.length + " lanes, persistence "
        + persistence.describe() + ", " + sessions.size() + " sessions and " + retained.size()
        + " retained messages recovered");
    warnIfRecoveredOverCaps();
  }

  /** Recovered state over a cap (lowered since it was stored) is kept; new state waits for room. */
  private void warnIfRecoveredOverCaps() {
    QuotaCap sessionCap = slots.exceeded();
    QuotaCap retainedCap = retained.exceeded();
    for (QuotaCap cap : new QuotaCap[] {sessionCap, retainedCap}) {
      if (cap != null) {
        LOG.warning(() -> "The state recovered at start already passes " + cap.setting()
            + ": it is kept, and new " + cap.label().replace('_', ' ')
            + " are refused until there is room again");
      }
    }
  }

  /** Each lane processes its connections' held publishes, in their order, on the lane. */
  private void releaseHeldPublishes() {
    for (Lane lane : lanes) {
      lane.execute(() -> {
        for (ConnectionHandler c : new ArrayList<>(lane.connections)) {
          c.acks().releaseHeld();
        }
      });
    }
  }

  private void runLoop(Runnable loop) {
    try {
      loop.run();
    } finally {
      loopsDone.countDown();
    }
  }

  void stop() {
    synchronized (this) {
      if (!running) {
        return;
      }
      running = false;
    }
    stopSignal.countDown();
    // Checks still queued are dropped: their connections are closed below
    authExecutor.close();
    CountDownLatch shutdown = new CountDownLatch(lanes.length);
    for (Lane lane : lanes) {
      lane.execute(() -> {
        for (ConnectionHandler c : new ArrayList<>(lane.connections)) {
          c.closeWith(ReasonCode.SERVER_SHUTTING_DOWN, "server shutting down");
        }
        shutdown.countDown();
      });
    }
    await(shutdown);
    unidentified.keySet().forEach(MqttConnection::closeUnidentified);
    for (Lane lane : lanes) {
      lane.stop();
    }
    await(loopsDone);
    if (heapGauge != null) {
      heapGauge.uninstall();
    }
    persistence.close();
    LOG.info("FerryMQ engine stopped");
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        LOG.warning("Engine shutdown did not complete within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean isRunning() {
    return running;
  }

  // ---------------------------------------------------------------- connections

  InboundHandler accept(Transport transport) {
    MqttConnection c = new MqttConnection(this, transport);
    metrics.connectionsOpen.increment();
    metrics.opened(c.kind());
    metrics.connectionsTotal.increment();
    if (!running) {
      transport.close();
    } else {
      unidentified.put(c, Boolean.TRUE);
    }
    return c;
  }

  void connectionIdentified(MqttConnection c) {
    unidentified.remove(c);
  }

  void connectionClosed(MqttConnection c) {
    unidentified.remove(c);
    metrics.connectionsOpen.decrement();
    metrics.closed(c.kind());
  }

  Lane laneFor(String clientId) {
    return lanes[Math.floorMod(clientId.hashCode(), lanes.length)];
  }

  String newClientId() {
    return "ferrymq-" + instanceId + "-" + clientIds.incrementAndGet();
  }

  Session newSession(String clientId, Lane lane) {
    if (moves != null) {
      moves.sessionBegins(clientId);
    }
    return register(clientId, lane);
  }

  /**
   * Registers a session handed over from another node. One that had moved away from here comes
   * back: its forwarding entry ends only once the session is registered ({@link
   * SessionMoves#cameBack}), and what the entry left in the index stays.
   */
  Session adoptedSession(String clientId, Lane lane) {
    Session s = register(clientId, lane);
    if (moves != null) {
      moves.cameBack(clientId);
    }
    return s;
  }

  private Session register(String clientId, Lane lane) {
    Session s = new Session(clientId, lane, this);
    sessions.put(s);
    return s;
  }

  /** @return the network session of that client id, null when there is none */
  Session session(String clientId) {
    // the registry holds only what newSession and adoptedSession put there
    return (Session) sessions.get(clientId);
  }

  // ---------------------------------------------------------------- routing

  /**
   * Routes a message no client waits an acknowledgement for (a Will, an in-process publish) on
   * {@code lane}, retaining it first when it asks to be. A client's PUBLISH goes through
   * {@link InboundPublishFlow} instead, which needs the retain verdict for its acknowledgement.
   */
  void retainAndRoute(Message m, Lane lane) {
    if (m.retain()) {
      retain(m);
    }
    router.route(m, lane, null, null, null, null, null);
  }

  /**
   * Stores, replaces or deletes the retained message of a PUBLISH with RETAIN set.
   *
   * @return whether it was applied; false when a retained-message cap refused a new topic, which
   *     is counted and logged once per publisher (the message is still routed)
   */
  boolean retain(Message m) {
    QuotaCap full = retained.update(m);
    if (full == null) {
      return true;
    }
    long limit = full == QuotaCap.RETAINED_COUNT ? config.maxRetainedMessages()
        : config.maxRetainedBytes();
    String origin = m.originClientId().isEmpty() ? "(in-process publisher)" : m.originClientId();
    quotaRefusals.refused(full, origin, () -> "retained message on '" + m.topic()
        + "' (" + m.sizeInBytes() + " bytes) delivered but not retained, the limit is " + limit);
    return false;
  }

  void publishLocal(Message m) {
    if (!running) {
      throw new IllegalStateException("broker is not running");
    }
    metrics.on(null).received(m.qos());
    publishInternal(m.arrivedAt(System.nanoTime()));
  }

  /** Routes a broker-originated message; one lane for all of them keeps their order. */
  void publishInternal(Message m) {
    Lane lane = lanes[0];
    lane.execute(() -> retainAndRoute(m, lane));
  }

  LocalSubscription subscribeLocal(String filter, QoS maxQos, Consumer<Message> listener) {
    return inProcess.subscribe(this, filter, maxQos, listener);
  }

  /**
   * @return the session, in-process subscriber or cluster peer whose subscription entries carry
   *     this key, null when it is gone. One character test tells network sessions from the rest
   *     (U+0000 first is never a client id); then the prefix tells a peer node, and an in-process
   *     key that is no subscriber's is an application's session ({@link InProcessSessions})
   */
  DeliveryTarget targetOf(String key) {
    if (!InProcessSubscribers.isInProcessKey(key)) {
      Session s = session(key);
      // only a subscription without a session here looks further: one that moved a moment ago
      return s != null || moves == null ? s : moves.forwarding(key);
    }
    if (PeerKey.is(key)) {
      return peer(key);
    }
    InProcessSubscriber subscriber = inProcess.get(key);
    return subscriber != null ? subscriber : session(key);
  }

  private PeerTarget peer(String key) {
    if (peerLink == null) {
      return null;
    }
    return peers.computeIfAbsent(key, k -> new PeerTarget(k, laneFor(k), peerLink, router));
  }

  /**
   * Routes a message a cluster peer forwarded to this node's own subscribers, never back to a
   * peer. The messages of one origin publisher share a lane, so they keep their order.
   *
   * @param whenTaken runs once every receiving session has admitted the message and the store
   *     has made it durable; gets {@link Router#FAILED} when a delivery failed, else the count
   */
  void routeFromPeer(Message m, GroupAssignment groups, IntConsumer whenTaken) {
    Lane lane = laneFor(m.originClientId());
    lane.execute(() -> router.routeFromPeer(m, lane, groups, whenDurable(whenTaken)));
  }

  /**
   * Routes a message meant for the sessions taken over from a node that died to those sessions
   * only, on the lane of its origin publisher like any forwarded message.
   */
  void routeForSessions(Message m, java.util.Set<String> sessions, IntConsumer whenTaken) {
    Lane lane = laneFor(m.originClientId());
    lane.execute(() -> router.routeToSessions(m, lane, sessions, whenDurable(whenTaken)));
  }

  /**
   * @return the clock time by which a session must admit a message a peer forwarded now: one
   *     that holds it back longer is disconnected as a stuck one is, which admits it (the peer's
   *     publisher waits for that), so the peer is never told of a failure for a message that is
   *     delivered all the same (docs/cluster.md, "Routing across nodes")
   */
  long forwardedAdmitBy() {
    return clock.millis() + forwardTimeoutMillis;
  }

  /**
   * @return a completion that passes a failure on at once, and a receiver count once the store
   *     has made the receivers' writes durable
   */
  IntConsumer whenDurable(IntConsumer whenTaken) {
    return receivers -> {
      if (receivers == Router.FAILED) {
        whenTaken.accept(receivers);
      } else {
        persistence.afterDurable(() -> whenTaken.accept(receivers));
      }
    };
  }

  /** @return seconds since start, 0 when not running */
  long uptimeSeconds() {
    return running ? (clock.millis() - startedAtMillis) / 1000 : 0;
  }

  /** Queues a sweep on every lane now; tests that move the clock by hand call it. */
  void sweepLanes() {
    timer.sweepLanes();
  }

  /** Closes the connections not accepted by CONNACK within the connect timeout; the timer's. */
  void closeUnidentified(long nowNanos) {
    long connectTimeoutNanos = TimeUnit.SECONDS.toNanos(config.connectTimeoutSeconds());
    for (MqttConnection c : unidentified.keySet()) {
      if (nowNanos - c.acceptedAtNanos > connectTimeoutNanos) {
        LOG.fine("Closing connection not accepted (CONNECT, authentication) within "
            + config.connectTimeoutSeconds() + " s");
        unidentified.remove(c);
        c.closeUnidentified();
      }
    }
  }

  boolean disconnectClient(String clientId) {
    Session s = session(clientId);
    // isOnline, not connection(): this runs off the session's lane and only online is volatile
    if (s == null || !s.isOnline()) {
      return false;
    }
    s.lane().execute(() -> {
      ConnectionHandler c = s.connection();
      if (c != null) {
        c.closeWith(ReasonCode.ADMINISTRATIVE_ACTION, "disconnected by an administrator");
      }
    });
    return true;
  }

  Duration longestLaneStall() {
    long worst = 0;
    for (Lane lane : lanes) {
      worst = Math.max(worst, lane.stallNanos());
    }
    return Duration.ofNanos(worst);
  }

  int laneCount() {
    return lanes.length;
  }

  void forEachLane(Consumer<Lane> action) {
    for (Lane lane : lanes) {
      action.accept(lane);
    }
  }

  Persistence persistence() {
    return persistence;
  }

  BrokerConfig config() {
    return config;
  }

}
