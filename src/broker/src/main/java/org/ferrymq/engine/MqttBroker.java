package org.ferrymq.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.memory.TransientPersistence;
import org.ferrymq.security.Authenticator;
import org.ferrymq.security.Authorizer;
import org.ferrymq.security.ban.Ban;
import org.ferrymq.security.ban.BanKind;
import org.ferrymq.security.ban.BanList;
import org.ferrymq.security.EnhancedAuthenticator;
import org.ferrymq.topic.SubscriptionIndex;
import org.ferrymq.topic.SubscriptionTree;
import org.ferrymq.transport.ConnectionAcceptor;
import org.ferrymq.transport.InboundHandler;
import org.ferrymq.transport.Transport;

/**
 * The broker: one instance serves every transport. Listeners hand it connections through
 * {@link #accept(Transport)}; in-process applications publish and subscribe directly.
 *
 * <p>Threads: the broker runs its session lanes and its timer as long-lived loops on the
 * {@link Builder#loopExecutor(Executor)} (on Liberty, the resource adapter's WorkManager).
 */
public final class MqttBroker implements ConnectionAcceptor, AutoCloseable {

  private final BrokerCore core;

  private MqttBroker(Builder b) {
    this.core = new BrokerCore(b);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Recovers persisted state and starts the lanes and the timer. */
  public void start() {
    core.start();
  }

  /**
   * Disconnects every client (MQTT 5 clients get DISCONNECT 0x8B Server shutting down), stops
   * the lanes and the timer, and closes the persistence backend.
   */
  public void stop() {
    core.stop();
  }

  @Override
  public void close() {
    stop();
  }

  /** @return whether the broker has started and not stopped */
  public boolean isRunning() {
    return core.isRunning();
  }

  @Override
  public InboundHandler accept(Transport transport) {
    return core.accept(transport);
  }

  /** Publishes a message from an in-process application, as if a client had sent it. */
  public void publish(Message message) {
    core.publishLocal(message);
  }

  /**
   * Subscribes an in-process listener. Messages arrive on a broker lane, in order per publisher;
   * the listener must return quickly.
   *
   * @param filter a topic filter, possibly {@code $share/group/filter}
   * @param maxQos the highest QoS the listener wants
   * @param listener receives each matching message
   * @return a handle whose {@code close()} unsubscribes
   */
  public LocalSubscription subscribe(String filter, QoS maxQos, Consumer<Message> listener) {
    return core.subscribeLocal(filter, maxQos, listener);
  }

  /**
   * Attaches a durable in-process subscriber: a persistent session of this broker named after
   * {@code name}, created on first use, that keeps its subscription and queue while nothing is
   * attached, in the store too, and expires {@code mqtt.max-session-expiry} after the last
   * detach. A QoS 1/2 delivery stays in flight until {@link InProcessDelivery#acknowledge()};
   * unacknowledged ones come again (redelivered) on the next attach. At most {@code
   * receiveMaximum} are in flight; past them messages queue, and a full queue holds the
   * publishers' acknowledgements back as for a slow network client. The session subscribes to
   * exactly {@code filter} (an earlier filter of the same session is replaced). Waits for the
   * session's lane: not to be called from a listener.
   *
   * @param name the session's name, stable across restarts (e.g. application and bean)
   * @param filter a topic filter, possibly {@code $share/group/filter}
   * @param maxQos the highest QoS the listener wants
   * @param receiveMaximum how many QoS 1/2 deliveries may await acknowledgement (1..65535)
   * @param listener receives each delivery on a broker lane and must return quickly
   * @return a handle whose {@code close()} detaches the listener and keeps the session
   * @throws IllegalStateException when the session has a listener already, or a session cap
   *     refuses a new one
   * @throws IllegalArgumentException for an invalid filter, an empty name or a receive maximum
   *     out of range
   */
  public LocalSubscription attachSession(String name, String filter, QoS maxQos,
      int receiveMaximum, Consumer<InProcessDelivery> listener) {
    return InProcessSessions.attach(core, name, filter, maxQos, receiveMaximum, listener);
  }

  /**
   * Ends the durable in-process session of that name, if there is one: its subscription, queue
   * and stored record go. Waits for the session's lane.
   *
   * @return whether there was such a session
   */
  public boolean endSession(String name) {
    return InProcessSessions.end(core, name);
  }

  /** @return a snapshot of the counters */
  public FlowStats flowStats() {
    return BrokerReadings.flowStats(core);
  }

  /** @return messages by QoS, connections by listener kind, delivery and commit latencies */
  public TrafficStats trafficStats() {
    return BrokerReadings.trafficStats(core);
  }

  /** @return the use of the caps on sessions and retained messages, and the refusals by cap */
  public QuotaStats quotaStats() {
    return BrokerReadings.quotaStats(core);
  }

  /** @return the login counters: failures, throttled and busy refusals, checks pending */
  public AuthStats authStats() {
    return BrokerReadings.authStats(core);
  }

  /** @return refused logins by reason, ACL denials by direction, Wills refused and dropped */
  public SecurityStats securityStats() {
    return BrokerReadings.securityStats(core);
  }

  /** @return whether the broker sheds load because its heap is nearly full */
  public boolean isOverloaded() {
    return core.overload.isOverloaded();
  }

  public BrokerStats stats() {
    return BrokerReadings.stats(core);
  }

  /** @return every known session, connected or not */
  public List<ClientSummary> clients() {
    return BrokerReadings.clients(core);
  }

  /*
   * The administrative calls below and clients() are about network clients. An application's
   * durable session (a message-driven bean's, a Reactive Messaging channel's) belongs to its
   * application: it is neither listed nor disconnected nor deleted here, so an id it cannot be
   * named by (U+0000 first) answers as unknown.
   */

  /**
   * Disconnects a client as an administrative action (MQTT 5: DISCONNECT 0x98).
   *
   * @return whether the client was connected
   */
  public boolean disconnect(String clientId) {
    if (InProcessSubscribers.isInProcessKey(clientId)) {
      return false;
    }
    return core.disconnectClient(clientId);
  }

  /**
   * Reads one session in detail on its lane.
   *
   * @return completes with the detail, or empty when there is no session with that id
   */
  public CompletableFuture<Optional<ClientDetail>> client(String clientId) {
    if (InProcessSubscribers.isInProcessKey(clientId)) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return AdminActions.detail(core, clientId);
  }

  /**
   * Disconnects the client if connected (MQTT 5: DISCONNECT 0x98) and deletes its session:
   * subscriptions, queued messages and the stored record.
   *
   * @return completes with whether there was such a session
   */
  public CompletableFuture<Boolean> deleteSession(String clientId) {
    if (InProcessSubscribers.isInProcessKey(clientId)) {
      return CompletableFuture.completedFuture(false);
    }
    return AdminActions.deleteSession(core, clientId);
  }

  /**
   * @param filter a topic filter (not shared)
   * @param limit the most messages returned
   * @return the live retained messages matching the filter, by topic
   */
  public RetainedPage retained(String filter, int limit) {
    return AdminActions.retained(core, filter, limit);
  }

  /** @return whether the topic had a retained message, now deleted */
  public boolean deleteRetained(String topic) {
    return AdminActions.deleteRetained(core, topic);
  }

  /** @return the bans in force, by kind, then value */
  public List<Ban> bans() {
    return core.bans.all();
  }

  /**
   * Adds (or replaces) a ban, stores it, and disconnects the connected clients it matches
   * (MQTT 5: DISCONNECT 0x98 Administrative action, reason string "banned"; 0x8A is not a
   * DISCONNECT reason code).
   *
   * @throws java.io.UncheckedIOException when the ban list cannot be stored; nothing changed
   */
  public void ban(Ban ban) {
    AdminActions.ban(core, ban);
  }

  /** @return whether there was such a ban, now lifted */
  public boolean unban(BanKind kind, String value) {
    return AdminActions.unban(core, kind, value);
  }

  /**
   * @return how long the most stalled lane has had work waiting without progress; zero when
   *     every lane is idle or moving (liveness)
   */
  public Duration longestLaneStall() {
    return core.longestLaneStall();
  }

  /** @return the persistence backend, for health checks */
  public Persistence persistence() {
    return core.persistence();
  }

  /** @return the effective configuration */
  public BrokerConfig config() {
    return core.config();
  }

  /** @return the seam through which a cluster layer serves this broker's peers */
  public ClusterPort clusterPort() {
    return new ClusterPort(core);
  }

  /** The engine behind this facade, for tests in this package. */
  BrokerCore core() {
    return core;
  }

  /** Collects the broker's collaborators; every one has a working default. */
  public static final class Builder {
    BrokerConfig config = BrokerConfig.defaults();
    Executor loopExecutor = runnable -> {
      Thread t = new Thread(runnable, "ferrymq-loop");
      t.setDaemon(true);
      t.start();
    };
    Persistence persistence = new TransientPersistence();
    Authenticator authenticator = Authenticator.ALLOW_ALL;
    Authorizer authorizer = Authorizer.ALLOW_ALL;
    BanList bans = new BanList();
    List<EnhancedAuthenticator> enhancedAuthenticators = List.of();
    AuthExecutor authExecutor;
    org.ferrymq.security.limit.LoginThrottle loginThrottle;
    Clock clock = Clock.systemUTC();
    String version = "0.1.0";
    /** Null: a new {@link LocalSessionRegistry}. */
    SessionRegistry sessionRegistry;
    /** Null: a new {@link SubscriptionTree}. */
    SubscriptionIndex subscriptionIndex;
    /** Null: a single node, no peers. */
    PeerLink peerLink;
    /** Null: a single node; no CONNECT waits for another node. */
    SessionHandover sessionHandover;
    /** Null: a single node; Wills die with it. */
    ConnectionWills connectionWills;
    /** Null: every QoS 1/2 message may be acknowledged, as on a single node. */
    AckSafety ackSafety;
    Duration handoverGrace = Duration.ofSeconds(10);
    Duration forwardTimeout = Duration.ofSeconds(60);
    /** Null: {@code $SYS} has this node's own figures only. */
    SysExtension sysExtension;
    /** Share of the heap in use after collection; null: the JVM's, read by {@link HeapGauge}. */
    java.util.function.DoubleSupplier heapUse;

    private Builder() {
    }

    /**
     * Replaces the heap reading that overload protection uses (tests simulate memory pressure).
     *
     * @param value returns the share of the maximum heap in use, 0..1
     */
    public Builder heapUse(java.util.function.DoubleSupplier value) {
      this.heapUse = Objects.requireNonNull(value);
      return this;
    }

    /**
     * Where the broker registers its sessions by client id; by default a new {@link
     * LocalSessionRegistry}. A cluster supplies its own here; protocol code is unchanged.
     */
    public Builder sessionRegistry(SessionRegistry value) {
      this.sessionRegistry = Objects.requireNonNull(value);
      return this;
    }

    /**
     * Where the broker indexes subscriptions, its own and its in-process subscribers'; by
     * default a new {@link SubscriptionTree}. A cluster supplies a cluster-wide index here.
     */
    public Builder subscriptionIndex(SubscriptionIndex value) {
      this.subscriptionIndex = Objects.requireNonNull(value);
      return this;
    }

    /**
     * The way to the cluster's other nodes; by default there is none. The subscription index
     * then reports each peer with a matching subscriber under its {@link PeerKey}, and the
     * broker forwards the message there through this link.
     */
    public Builder peerLink(PeerLink value) {
      this.peerLink = Objects.requireNonNull(value);
      return this;
    }

    /**
     * Where a CONNECT whose session is not on this node asks the cluster for it; by default
     * there is none and a CONNECT never waits for another node.
     */
    public Builder sessionHandover(SessionHandover value) {
      this.sessionHandover = Objects.requireNonNull(value);
      return this;
    }

    /**
     * Keeps the Wills of connections whose sessions end with them where another node can
     * publish them if this one dies; by default there is nowhere, as on a single node.
     */
    public Builder connectionWills(ConnectionWills value) {
      this.connectionWills = Objects.requireNonNull(value);
      return this;
    }

    /**
     * Tells whether a QoS 1/2 message may be acknowledged for its receivers on a side of a
     * network split without quorum; by default there is no such side, as on a single node.
     */
    public Builder ackSafety(AckSafety value) {
      this.ackSafety = Objects.requireNonNull(value);
      return this;
    }

    /**
     * How long a node that handed a session over to a peer keeps forwarding what is routed to
     * the session there, and how long the session's new node parks what arrives for it before
     * it is there and keeps it from taking a QoS 2 message twice (docs/cluster.md, "Sessions").
     * Used only with a peer link and a session handover; 10 s by default.
     *
     * @throws IllegalArgumentException when it is not positive
     */
    public Builder handoverGrace(Duration value) {
      this.handoverGrace = positive(value, "the handover grace period");
      return this;
    }

    /**
     * How long a connected session may hold back (defer its admission of) a QoS 1/2 message a
     * cluster peer forwarded while its backlog is full; past it the client is disconnected as
     * a stuck subscriber is, which admits the message (docs/cluster.md, "Routing across
     * nodes"). Used only for forwarded messages; 60 s by default.
     *
     * @throws IllegalArgumentException when it is not positive
     */
    public Builder forwardTimeout(Duration value) {
      this.forwardTimeout = positive(value, "the forward timeout");
      return this;
    }

    private static Duration positive(Duration value, String what) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + value);
      }
      return value;
    }

    /**
     * Adds figures to each {@code $SYS} publish, after the node's own; by default there are
     * none. A cluster adds its totals over the members here.
     */
    public Builder sysExtension(SysExtension value) {
      this.sysExtension = Objects.requireNonNull(value);
      return this;
    }

    public Builder config(BrokerConfig value) {
      this.config = Objects.requireNonNull(value);
      return this;
    }

    /** Runs each long-lived loop (one per lane plus the timer) on its own thread. */
    public Builder loopExecutor(Executor value) {
      this.loopExecutor = Objects.requireNonNull(value);
      return this;
    }

    public Builder persistence(Persistence value) {
      this.persistence = Objects.requireNonNull(value);
      return this;
    }

    public Builder authenticator(Authenticator value) {
      this.authenticator = Objects.requireNonNull(value);
      return this;
    }

    /** The bans checked at CONNECT; by default an empty list kept in memory only. */
    public Builder bans(BanList value) {
      this.bans = Objects.requireNonNull(value);
      return this;
    }

    public Builder authorizer(Authorizer value) {
      this.authorizer = Objects.requireNonNull(value);
      return this;
    }

    /**
     * Where credential checks run, off the lanes; by default the broker's own daemon threads
     * sized by {@code mqtt.auth.threads} and {@code mqtt.auth.queue}. The broker closes it when
     * it stops.
     */
    public Builder authExecutor(AuthExecutor value) {
      this.authExecutor = Objects.requireNonNull(value);
      return this;
    }

    /** Replaces the login throttle built from the {@code mqtt.auth.throttle.*} settings. */
    public Builder loginThrottle(org.ferrymq.security.limit.LoginThrottle value) {
      this.loginThrottle = Objects.requireNonNull(value);
      return this;
    }

    public Builder enhancedAuthenticators(List<EnhancedAuthenticator> value) {
      this.enhancedAuthenticators = List.copyOf(value);
      return this;
    }

    /** The wall clock used for expiry; tests pass a controllable one. */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value);
      return this;
    }

    /** The version reported in {@code $SYS/broker/version}. */
    public Builder version(String value) {
      this.version = Objects.requireNonNull(value);
      return this;
    }

    public MqttBroker build() {
      return new MqttBroker(this);
    }
  }
}
