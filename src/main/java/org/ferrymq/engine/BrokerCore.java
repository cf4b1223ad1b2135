package org.ferrymq.engine;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.MqttEncoder;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.message.Message;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.Subscription;
import org.ferrymq.packet.Will;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.StoreObserver;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.security.Authenticator;
import org.ferrymq.security.ClientIdentity;
import org.ferrymq.security.EnhancedAuthenticator;
import org.ferrymq.security.limit.LoginThrottle;
import org.ferrymq.topic.SubscriptionEntry;
import org.ferrymq.topic.SubscriptionIndex;
import org.ferrymq.topic.SubscriptionTree;
import org.ferrymq.transport.InboundHandler;
import org.ferrymq.transport.Transport;

/**
 * Wires the engine together and owns its lifecycle: lanes, the timer, the session registry, the
 * subscription index and retained messages. Package-private; {@link MqttBroker} is the API.
 */
final class BrokerCore {
  private static final Logger LOG = Logger.getLogger(BrokerCore.class.getName());
  private static final long SWEEP_INTERVAL_MILLIS = 500;

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
  final InProcessSubscribers inProcess = new InProcessSubscribers();
  final SubscriptionIndex index;
  final Router router;
  final RetainedMessages retained;
  final OverloadMonitor overload;
  final SessionSlots slots;
  final QuotaRefusals quotaRefusals = new QuotaRefusals();
  final SessionOwnership ownership = new SessionOwnership();
  private final HeapGauge heapGauge;
  private final Lane[] lanes;
  private final Executor loopExecutor;
  private final Map<MqttConnection, Boolean> unidentified = new ConcurrentHashMap<>();
  private final SysTopics sysTopics;
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
    this.router = new Router(this, index);
    this.retained = new RetainedMessages(persistence.retained(), clock,
        config.maxRetainedMessages(), config.maxRetainedBytes());
    this.slots = new SessionSlots(config);
    this.lanes = new Lane[config.lanes()];
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new Lane(i, metrics.newLane());
    }
    this.sysTopics = new SysTopics(this, b.version);
    this.heapGauge = b.heapUse == null ? HeapGauge.install() : null;
    this.overload = new OverloadMonitor(b.heapUse == null ? heapGauge : b.heapUse,
        config.overloadHeapHighPercent(), config.overloadHeapLowPercent());
  }

  // ---------------------------------------------------------------- lifecycle

  synchronized void start() {
    if (running) {
      return;
    }
    recover();
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
    loopExecutor.execute(() -> runLoop(this::tick));
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
          c.releaseHeld();
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

  private void recover() {
    long now = clock.millis();
    int shortened = 0;
    List<StoredSession> stored = persistence.sessions().loadSessions();
    Map<String, Map<Long, AlreadyRouted>> interrupted = interruptedRoutings(stored);
    for (StoredSession record : stored) {
      Session s = newSession(record.clientId(), laneFor(record.clientId()));
      if (record.expiryIntervalSeconds() > config.maxSessionExpiry()) {
        // A session stored under a longer (or the former unbounded) maximum gets today's
        shortened++;
      }
      s.lane().runAsOwner(() -> recoverSession(s, record, interrupted, now));
    }
    for (StoredSession record : stored) {
      Map<Long, AlreadyRouted> bySequence = interrupted.getOrDefault(record.clientId(), Map.of());
      Session s = session(record.clientId());
      s.lane().runAsOwner(() -> s.inbound().restore(record.receipts(),
          record.nextInboundSequence(), bySequence::get));
    }
    for (Message m : persistence.retained().loadRetained()) {
      retained.restore(m);
    }
    if (shortened > 0) {
      int n = shortened;
      LOG.info(() -> n + " recovered sessions had a longer expiry than mqtt.max-session-expiry ("
          + config.maxSessionExpiry() + " s) and now expire after it");
    }
  }

  /** Restores one stored session on its lane (run by the starting thread as its owner). */
  private void recoverSession(Session s, StoredSession record,
      Map<String, Map<Long, AlreadyRouted>> interrupted, long now) {
    s.recover(record, versionOf(record.protocolLevel()), config.maxSessionExpiry(), now);
    slots.restore(s, s.isPersistent());
    for (SubscriptionEntry e : record.subscriptions()) {
      index.subscribe(e);
    }
    List<StoredDelivery> deliveries = persistence.queues().load(record.clientId());
    for (StoredDelivery d : deliveries) {
      Map<Long, AlreadyRouted> bySequence = interrupted.get(d.message().originClientId());
      AlreadyRouted reached = bySequence == null ? null
          : bySequence.get(d.message().originSequence());
      if (reached != null) {
        reached.add(record.clientId(), d.sharedFilter());
      }
    }
    s.restore(deliveries);
    recoverWill(s, record, now);
    s.lane().offlineSessions.add(s);
  }

  /**
   * @return per publisher, per inbound sequence, an empty collector for each QoS 2 message
   *     whose routing was under way when the store was last written
   */
  private static Map<String, Map<Long, AlreadyRouted>> interruptedRoutings(
      List<StoredSession> stored) {
    Map<String, Map<Long, AlreadyRouted>> out = new HashMap<>();
    for (StoredSession record : stored) {
      for (var r : record.receipts()) {
        if (!r.routed() && r.sequence() != 0) {
          out.computeIfAbsent(record.clientId(), k -> new HashMap<>())
              .put(r.sequence(), AlreadyRouted.collecting());
        }
      }
    }
    return out;
  }

  /**
   * A Will stored while its connection was open: the crash ended that connection, so its delay
   * runs from now. A Will whose delay was running keeps its due time; a due time already past
   * publishes it at the first sweep, and a session that expired meanwhile publishes it as it
   * ends [MQTT-3.1.3-9]. Reconnecting first discards it.
   */
  private static void recoverWill(Session s, StoredSession record, long now) {
    Will will = record.will();
    if (will == null) {
      return;
    }
    s.holdWill(will, record.willDueMillis() != 0 ? record.willDueMillis()
        : now + Math.min(will.delayIntervalSeconds(), s.expiryIntervalSeconds()) * 1000);
  }

  private static ProtocolVersion versionOf(int level) {
    for (ProtocolVersion v : ProtocolVersion.values()) {
      if (v.level() == level) {
        return v;
      }
    }
    return ProtocolVersion.MQTT_5;
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
  }

  Lane laneFor(String clientId) {
    return lanes[Math.floorMod(clientId.hashCode(), lanes.length)];
  }

  String newClientId() {
    return "ferrymq-" + instanceId + "-" + clientIds.incrementAndGet();
  }

  /** A malformed first packet: unsupported versions get CONNACK 0x84 / return code 1. */
  void refuseBeforeConnect(Transport transport, MalformedPacketException e) {
    LOG.log(Level.FINE, () -> "Closing connection from " + transport.info().remoteAddress()
        + " before CONNECT: " + e.getMessage());
    if (e.reasonCode() == ReasonCode.UNSUPPORTED_PROTOCOL_VERSION) {
      // [MQTT-3.1.2-2] answered in the 3.1.1 format, which every version can read
      ByteBuffer ack = MqttEncoder.encode(new ConnAck(false,
          ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, Properties.EMPTY), ProtocolVersion.MQTT_3_1_1);
      transport.send(ack);
      transport.flush();
    }
    transport.close();
  }

  /** A connection reached CLOSED: detach it from its session; Will and expiry follow. */
  void connectionEnded(ConnectionHandler h) {
    // From here on the transport lingers or is gone: it no longer counts as paused
    h.gate().closed();
    h.dropHeld();
    if (h.lane() != null) {
      h.lane().connections.remove(h);
    }
    Session s = h.session();
    if (s == null || s.connection() != h) {
      return;
    }
    metrics.clientsConnected.decrement();
    long now = clock.millis();
    s.detach(now);
    Will will = h.takeWill();
    if (s.expiryIntervalSeconds() == 0) {
      if (will != null) {
        publishWill(will, s);
      }
      endSession(s);
      return;
    }
    if (will != null) {
      long delay = Math.min(will.delayIntervalSeconds(), s.expiryIntervalSeconds());
      if (delay == 0) {
        publishWill(will, s);
      } else {
        // [MQTT-3.1.3-9] held back until the delay passes or the session ends
        s.holdWill(will, now + delay * 1000);
      }
    }
    s.persist();
    s.lane().offlineSessions.add(s);
  }

  private void publishWill(Will will, Session s) {
    if (!WillChecks.mayPublishWhenDue(this, s, will)) {
      return;
    }
    Properties props = will.properties();
    long expiresAt = 0;
    Long interval = props.getLong(org.ferrymq.packet.Property.MESSAGE_EXPIRY_INTERVAL);
    if (interval != null) {
      expiresAt = clock.millis() + interval * 1000;
    }
    if (props.has(org.ferrymq.packet.Property.WILL_DELAY_INTERVAL) || interval != null) {
      props = props.toBuilder().remove(org.ferrymq.packet.Property.WILL_DELAY_INTERVAL)
          .remove(org.ferrymq.packet.Property.MESSAGE_EXPIRY_INTERVAL).build();
    }
    metrics.on(s.lane()).received();
    retainAndRoute(new Message(will.topic(), will.payload(), will.qos(), will.retain(), props,
        expiresAt, s.clientId()), s.lane());
  }

  /** Ends a session: subscriptions, queue and store record go; a pending Will is published. */
  void endSession(Session s) {
    Will w = s.takeWill();
    if (w != null) {
      publishWill(w, s);
    }
    List<StoredDelivery> shared = s.takeShared(null);
    index.unsubscribeAll(s.clientId());
    sessions.remove(s);
    slots.release(s);
    s.lane().offlineSessions.remove(s);
    s.clearDeliveries();
    persistence.sessions().delete(s.clientId());
    for (StoredDelivery d : shared) {
      router.redistribute(d.message(), d.sharedFilter(), s.clientId());
    }
  }

  Session newSession(String clientId, Lane lane) {
    Session s = new Session(clientId, lane, this);
    sessions.put(s);
    return s;
  }

  /** @return the network session of that client id, null when there is none */
  Session session(String clientId) {
    // the registry holds only what newSession put there
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
    metrics.on(null).received();
    publishInternal(m);
  }

  /** Routes a broker-originated message; one lane for all of them keeps their order. */
  void publishInternal(Message m) {
    Lane lane = lanes[0];
    lane.execute(() -> retainAndRoute(m, lane));
  }

  LocalSubscription subscribeLocal(String filter, QoS maxQos, Consumer<Message> listener) {
    String key = inProcess.newKey();
    Lane lane = laneFor(key);
    InProcessSubscriber subscriber = new InProcessSubscriber(key, filter, lane, listener, this);
    inProcess.add(subscriber);
    index.subscribe(SubscriptionEntry.of(key, new Subscription(filter, maxQos), 0));
    return new LocalSubscription() {
      @Override
      public String filter() {
        return filter;
      }

      @Override
      public void close() {
        lane.execute(() -> {
          index.unsubscribeAll(key);
          inProcess.remove(subscriber);
        });
      }
    };
  }

  /**
   * @return the session or in-process subscriber whose subscription entries carry this key,
   *     null when it is gone; one character test tells the two registries apart
   */
  DeliveryTarget targetOf(String key) {
    return InProcessSubscribers.isInProcessKey(key) ? inProcess.get(key) : session(key);
  }

  // ---------------------------------------------------------------- timer

  private void tick() {
    long lastSys = clock.millis();
    while (running) {
      try {
        if (stopSignal.await(SWEEP_INTERVAL_MILLIS, TimeUnit.MILLISECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      overload.check();
      long nowNanos = System.nanoTime();
      long connectTimeoutNanos = TimeUnit.SECONDS.toNanos(config.connectTimeoutSeconds());
      for (MqttConnection c : unidentified.keySet()) {
        if (nowNanos - c.acceptedAtNanos > connectTimeoutNanos) {
          LOG.fine("Closing connection not accepted (CONNECT, authentication) within "
              + config.connectTimeoutSeconds() + " s");
          unidentified.remove(c);
          c.closeUnidentified();
        }
      }
      sweepLanes();
      long now = clock.millis();
      if (config.sysIntervalSeconds() > 0 && now - lastSys >= config.sysIntervalSeconds() * 1000L) {
        lastSys = now;
        sysTopics.publish();
        retained.purgeExpired();
      }
    }
  }

  /** Queues a sweep on every lane; the timer calls it, and tests that move the clock by hand. */
  void sweepLanes() {
    for (Lane lane : lanes) {
      lane.execute(() -> sweep(lane));
    }
  }

  /** Keep-alive, delayed Wills, session expiry and offline queue expiry of one lane. */
  private void sweep(Lane lane) {
    long nowNanos = System.nanoTime();
    long nowMillis = clock.millis();
    long slowTimeoutMillis = config.slowSubscriberTimeoutSeconds() * 1000L;
    long packetGraceNanos = TimeUnit.SECONDS.toNanos(config.connectTimeoutSeconds());
    for (ConnectionHandler c : new ArrayList<>(lane.connections)) {
      ConnectionHandler.Stuck stuck = c.stuck(nowNanos, nowMillis, slowTimeoutMillis);
      if (stuck != null) {
        metrics.slowSubscribersDisconnected.increment();
        LOG.warning(() -> "Disconnecting " + c.clientId() + ": " + stuck.description
            + " for more than " + config.slowSubscriberTimeoutSeconds() + " s "
            + "(mqtt.slow-subscriber-timeout); its publishers were slowed meanwhile");
        if (stuck == ConnectionHandler.Stuck.NOT_READING) {
          c.abort(stuck.description);
        } else {
          c.closeWith(ReasonCode.QUOTA_EXCEEDED, stuck.description);
        }
      } else if (c.keepAliveExpired(nowNanos)) {
        c.closeWith(ReasonCode.KEEP_ALIVE_TIMEOUT, "no packet within 1.5 x keep alive");
      } else if (c.packetTooSlow(nowNanos, packetGraceNanos, config.minPacketRate())) {
        metrics.slowPacketsClosed.increment();
        LOG.warning(() -> "Disconnecting " + c.clientId() + ": its packet in progress "
            + "arrived at under " + config.minPacketRate() + " bytes/s (mqtt.min-packet-rate) "
            + "after " + config.connectTimeoutSeconds() + " s (mqtt.connect-timeout)");
        // A packet that does not complete is no packet: the keep-alive reason fits best
        c.closeWith(ReasonCode.KEEP_ALIVE_TIMEOUT, "packet arriving below mqtt.min-packet-rate");
      } else if (c.identity() != null && c.identity().expiredAt(clock.instant())) {
        ClientIdentity expired = c.identity();
        LOG.info(() -> "Disconnecting " + expired.clientId() + " (user "
            + expired.username() + "): its credentials expired at " + expired.expiresAt());
        c.closeWith(ReasonCode.NOT_AUTHORIZED, "credentials expired");
      }
    }
    long now = clock.millis();
    for (Session s : new ArrayList<>(lane.offlineSessions)) {
      if (s.connection() != null) {
        lane.offlineSessions.remove(s);
      } else if (s.sessionExpired(now)) {
        endSession(s);
      } else {
        Will due = s.takeWillDue(now);
        if (due != null) {
          publishWill(due, s);
          s.persist();
        }
        s.purgeExpired(now);
      }
    }
  }

  // ---------------------------------------------------------------- observation

  BrokerStats stats() {
    return new BrokerStats(
        running ? (clock.millis() - startedAtMillis) / 1000 : 0,
        metrics.connectionsOpen.sum(),
        metrics.clientsConnected.sum(),
        sessions.size() + inProcess.size(),
        metrics.connectionsTotal.sum(),
        index.size(),
        retained.size(),
        metrics.messagesReceived(),
        metrics.messagesSent(),
        metrics.bytesReceived.sum(),
        metrics.bytesSent(),
        metrics.messagesDropped(),
        metrics.messagesQueued());
  }

  QuotaStats quotaStats() {
    return new QuotaStats(slots.sessions(), slots.persistentSessions(), retained.size(),
        retained.bytes(), quotaRefusals.counts());
  }

  FlowStats flowStats() {
    java.util.EnumMap<DropReason, Long> drops = new java.util.EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      drops.put(r, metrics.messagesDropped(r));
    }
    return new FlowStats(overload.isOverloaded(), overload.heapUse(),
        metrics.connectionsPaused.sum(), metrics.publishersThrottled.sum(),
        metrics.slowSubscribersDisconnected.sum(), metrics.slowPacketsClosed.sum(),
        metrics.connectionsRefusedOverload.sum(),
        drops, storeAvailable, persistence.failureCount(), metrics.publishesHeld.sum());
  }

  SecurityStats securityStats() {
    return security.snapshot();
  }

  AuthStats authStats() {
    return new AuthStats(metrics.authFailures.sum(), metrics.authThrottled.sum(),
        metrics.authRefusedBusy.sum(), authExecutor.pending(), loginThrottle.tracked(),
        ownership.refusedCount());
  }

  /** Reads each session's published view: safe from the admin thread, no lane is asked. */
  List<ClientSummary> clients() {
    List<ClientSummary> out = new ArrayList<>();
    for (SessionHandle s : sessions.all()) {
      out.add(((Session) s).summary());
    }
    return out;
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
