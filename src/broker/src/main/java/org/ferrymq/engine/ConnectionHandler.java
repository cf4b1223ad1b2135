package org.ferrymq.engine;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.MqttEncoder;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Auth;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.PingResp;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.PubComp;
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Unsubscribe;
import org.ferrymq.packet.Will;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.security.ClientIdentity;
import org.ferrymq.transport.Transport;

// Over 400 lines by choice: one connection's protocol state machine, its state private (issue 16).
/**
 * The lane-side half of a connection: the protocol state machine for one network connection.
 * Every method runs on the lane of the connection's client identifier, so neither this nor the
 * {@link Session} it drives needs locks; mutators check it when assertions are enabled ({@link
 * Lane#assertCurrent}). Acknowledgements and held PUBLISH packets are its {@link InboundAcks}.
 */
final class ConnectionHandler implements Peer {
  private static final Logger LOG = Logger.getLogger(ConnectionHandler.class.getName());

  /**
   * CHECKING: the CONNECT's credentials are being checked off the lane ({@link CredentialCheck});
   * AUTHENTICATING: an MQTT 5 enhanced-authentication exchange is under way ({@link AuthFlow}).
   */
  enum State { AWAITING_CONNECT, CHECKING, AUTHENTICATING, CONNECTED, CLOSED }

  /**
   * Bytes of packets sent after CONNECT that wait for a pending credential check before reading
   * pauses; below it reading goes on, so a client that closes meanwhile is noticed at once.
   */
  static final long DEFERRED_READ_LIMIT = 64 * 1024;

  /** PINGRESP in every version: type 13 with no flags, remaining length 0. */
  private static final byte[] PING_RESPONSE = {(byte) 0xD0, 0x00};

  private final BrokerCore core;
  private final Transport transport;
  private final InboundGate gate;
  /** Set with the client id by the transport thread, before the first task on the lane. */
  private Lane lane;
  private String assignedClientId;
  private State state = State.AWAITING_CONNECT;
  private ProtocolVersion version = ProtocolVersion.MQTT_3_1_1;
  private Session session;
  private ClientIdentity identity;
  private Will will;
  /** The CONNECT being authenticated; cleared once CONNACK is sent. */
  private Connect pendingConnect;
  private int keepAliveSeconds;
  private long connectExpiryInterval;
  /** The token of this connection's Will copy in the cluster ({@link ConnectionWills}), or 0. */
  private long willCopy;
  private long connectedAtMillis;
  private boolean requestProblemInformation = true;
  private int clientMaximumPacketSize = Integer.MAX_VALUE;
  private final TopicAliases aliases = new TopicAliases();
  private final AuthFlow auth = new AuthFlow(this);
  /** Acknowledgements in PUBLISH order and PUBLISH packets held for the store. */
  private final InboundAcks acks = new InboundAcks(this);
  /** When the last whole packet arrived; written by the transport thread. */
  private volatile long lastReceivedNanos = System.nanoTime();
  /** How fast an incomplete packet is arriving; written by the transport thread. */
  private final PacketPace pace = new PacketPace();
  /**
   * Called once CONNACK accepts the connection; until then the connect timeout applies, also
   * to a client that stops answering during an enhanced-authentication exchange.
   */
  private final Runnable accepted;
  /** Set by the lane while this connection waits for the end-of-batch flush. */
  private boolean dirty;
  /** Set when the connect timeout (or the broker's stop) closed the connection before CONNACK. */
  private volatile boolean closedBeforeConnAck;
  /** Packets that arrived while CHECKING, processed in order once CONNACK is sent. */
  private List<Packet> deferred;
  /** Bytes of those packets, still counted against the client by its {@link InboundGate}. */
  private long deferredBytes;

  ConnectionHandler(BrokerCore core, Transport transport, InboundGate gate, Runnable accepted) {
    this.core = core;
    this.transport = transport;
    this.gate = gate;
    this.accepted = accepted;
  }

  // ---------------------------------------------------------------- state, read and changed

  /** Checks, when assertions are enabled, that the calling thread runs this connection's lane. */
  private void confined() {
    if (lane != null) {
      lane.assertCurrent(this);
    }
  }

  BrokerCore core() {
    return core;
  }

  Transport transport() {
    return transport;
  }

  InboundGate gate() {
    return gate;
  }

  Lane lane() {
    return lane;
  }

  /** @return the client id: the CONNECT's, or the one the broker assigned for an empty one */
  String clientId() {
    return assignedClientId;
  }

  /**
   * The first packet was a CONNECT: the connection now belongs to that client id and its lane.
   * Called by the transport thread before any task of this connection runs on the lane.
   */
  void assign(String clientId, Lane clientLane) {
    assignedClientId = clientId;
    lane = clientLane;
  }

  State state() {
    return state;
  }

  /** The credentials are being checked off the lane ({@link CredentialCheck}, {@link AuthFlow}). */
  void checking() {
    confined();
    state = State.CHECKING;
  }

  /** An enhanced-authentication exchange is under way ({@link AuthFlow}). */
  void authenticating() {
    confined();
    state = State.AUTHENTICATING;
  }

  ProtocolVersion version() {
    return version;
  }

  /** @return the session, null until CONNACK */
  Session session() {
    return session;
  }

  /** @return the authenticated identity, null until CONNACK */
  ClientIdentity identity() {
    return identity;
  }

  /** @return the acknowledgements and held PUBLISH packets of this connection; on the lane */
  InboundAcks acks() {
    confined();
    return acks;
  }

  TopicAliases aliases() {
    return aliases;
  }

  AuthFlow auth() {
    return auth;
  }

  int keepAliveSeconds() {
    return keepAliveSeconds;
  }

  long connectedAtMillis() {
    return connectedAtMillis;
  }

  /** @return the Will of the CONNECT, while the connection is open */
  Will will() {
    return will;
  }

  /** @return the Will, now taken: the connection ended and what becomes of it is decided */
  Will takeWill() {
    confined();
    Will w = will;
    will = null;
    return w;
  }

  /** Its Will is kept cluster-wide under this token until the connection ends. */
  void willCopied(long token) {
    confined();
    willCopy = token;
  }

  /** @return the token of the Will's copy kept cluster-wide, now taken; 0 when none */
  long takeWillCopy() {
    confined();
    long token = willCopy;
    willCopy = 0;
    return token;
  }

  /** A CONNECT arrived: its version decides how everything is encoded from now on. */
  void connectReceived(Connect c) {
    confined();
    version = c.version();
    pendingConnect = c;
  }

  /** @return the CONNECT being accepted, now taken */
  Connect takePendingConnect() {
    confined();
    Connect c = pendingConnect;
    pendingConnect = null;
    return c;
  }

  /**
   * CONNACK accepts the connection: binds the session and identity, takes the client's limits
   * from the CONNECT, and starts the keep alive.
   */
  void establish(Session s, ClientIdentity id, Connect c, long expiry, int keepAlive) {
    confined();
    Properties props = c.properties();
    identity = id;
    connectExpiryInterval = expiry;
    will = c.will();
    session = s;
    state = State.CONNECTED;
    connectedAtMillis = core.clock.millis();
    requestProblemInformation = props.intOr(Property.REQUEST_PROBLEM_INFORMATION, 1) == 1;
    clientMaximumPacketSize = (int) Math.min(Integer.MAX_VALUE,
        props.longOr(Property.MAXIMUM_PACKET_SIZE, Integer.MAX_VALUE));
    aliases.clientMaximum(props.intOr(Property.TOPIC_ALIAS_MAXIMUM, 0));
    keepAliveSeconds = keepAlive;
    lane.connections.add(this);
    accepted.run();
  }

  /** The client authenticated again (MQTT 5 AUTH): messages are checked against the new one. */
  void reauthenticated(ClientIdentity id) {
    confined();
    identity = id;
    session.reauthenticated(id);
  }

  /** Whole packets arrived; called by the transport thread. */
  void packetsArrived(long nowNanos) {
    lastReceivedNanos = nowNanos;
  }

  /** @return the pace of the packet arriving now; written by the transport thread */
  PacketPace pace() {
    return pace;
  }

  /** The timer closed this connection before CONNACK; a credential check then creates nothing. */
  void markClosedBeforeConnAck() {
    closedBeforeConnAck = true;
  }

  boolean closedBeforeConnAck() {
    return closedBeforeConnAck;
  }

  /** @return whether this connection was not yet waiting for the lane's end-of-batch flush */
  boolean markDirty() {
    if (dirty) {
      return false;
    }
    dirty = true;
    return true;
  }

  void clearDirty() {
    dirty = false;
  }

  @Override
  public String toString() {
    return "connection of " + assignedClientId;
  }

  /**
   * Processes a batch of decoded packets in order, then frees their bytes in the gate. While
   * the credentials are being checked the rest of the batch is kept, with its bytes, for {@link
   * #resumeDeferred}.
   */
  void handle(List<Packet> packets, long bytes) {
    confined();
    boolean kept = false;
    try {
      kept = process(packets, bytes);
    } finally {
      if (!kept) {
        gate.free(bytes);
      }
    }
  }

  /**
   * A run of PINGREQ packets is answered with one write of as many PINGRESPs [MQTT-3.12.4-1]:
   * a client flooding PINGREQ then costs the event loop a decode per packet, not a write per
   * packet.
   *
   * @return whether packets were kept for later, and the bytes with them
   */
  private boolean process(List<Packet> packets, long bytes) {
    int pings = 0;
    for (int i = 0; i < packets.size(); i++) {
      Packet p = packets.get(i);
      if (state == State.CLOSED) {
        return false;
      }
      if (state == State.CHECKING) {
        defer(packets.subList(i, packets.size()), bytes);
        return true;
      }
      if (p.type() == PacketType.PINGREQ && state == State.CONNECTED) {
        pings++;
        continue;
      }
      if (pings > 0) {
        sendPingResponses(pings);
        pings = 0;
      }
      try {
        dispatch(p);
      } catch (RuntimeException e) {
        failBatch(p, packets.size() - i - 1, e);
        return false;
      }
    }
    if (pings > 0 && state == State.CONNECTED) {
      sendPingResponses(pings);
    }
    return false;
  }

  private void defer(List<Packet> packets, long bytes) {
    if (deferred == null) {
      deferred = new java.util.ArrayList<>();
    }
    deferred.addAll(packets);
    deferredBytes += bytes;
    if (deferredBytes > DEFERRED_READ_LIMIT) {
      gate.hold(InboundGate.CREDENTIALS);
    }
  }

  /**
   * The credential check (or a step of enhanced authentication) is over: runs what arrived
   * meanwhile, unless the CONNECT failed.
   */
  void resumeDeferred() {
    if (state == State.CHECKING) {
      // another wait began (the session is being handed over from another node): keep them
      return;
    }
    List<Packet> packets = deferred;
    long bytes = deferredBytes;
    deferred = null;
    deferredBytes = 0;
    gate.release(InboundGate.CREDENTIALS);
    if (packets == null) {
      return;
    }
    if (state == State.CONNECTED || state == State.AUTHENTICATING) {
      handle(packets, bytes);
    } else {
      gate.free(bytes);
    }
  }

  /**
   * A packet failed unexpectedly (a store that threw instead of holding, a bug): its state and
   * every later acknowledgement of this connection are in doubt, so the connection ends with
   * DISCONNECT 0x80 (MQTT 5) and the packets not processed are failed with it, not skipped.
   * The client resends every PUBLISH it has no acknowledgement for [MQTT-4.4.0-1].
   */
  private void failBatch(Packet failed, int notProcessed, RuntimeException e) {
    LOG.log(Level.SEVERE, "Processing " + failed.type() + " from " + assignedClientId
        + " failed; closing the connection, " + notProcessed + " later packets of the batch "
        + "not processed (the client resends what was not acknowledged)", e);
    closeWith(ReasonCode.UNSPECIFIED_ERROR, "internal error processing " + failed.type());
  }

  private void sendPingResponses(int count) {
    ByteBuffer bytes = ByteBuffer.allocate(2 * count);
    for (int i = 0; i < count; i++) {
      bytes.put(PING_RESPONSE);
    }
    sendEncoded(bytes.flip());
  }

  private void dispatch(Packet p) {
    if (state == State.AWAITING_CONNECT) {
      ConnectFlow.onConnect(this, (Connect) p);
      return;
    }
    if (state == State.AUTHENTICATING) {
      if (p instanceof Auth a) {
        auth.onAuth(a);
      } else if (p instanceof Disconnect) {
        closeSilently();
      } else {
        // [MQTT-4.12.0-2]/[MQTT-4.12.0-4] only AUTH or DISCONNECT until CONNACK
        closeWith(ReasonCode.PROTOCOL_ERROR, p.type() + " before authentication completed");
      }
      return;
    }
    switch (p.type()) {
      case PUBLISH -> InboundPublishFlow.onPublish(this, (Publish) p);
      case PUBACK -> session.outbox().complete(((PubAck) p).packetId());
      case PUBREC -> onPubRec((PubRec) p);
      case PUBREL -> InboundPublishFlow.onPubRel(this, (PubRel) p);
      case PUBCOMP -> session.outbox().complete(((PubComp) p).packetId());
      case SUBSCRIBE -> SubscribeFlow.onSubscribe(this, (Subscribe) p);
      case UNSUBSCRIBE -> SubscribeFlow.onUnsubscribe(this, (Unsubscribe) p);
      case PINGREQ -> send(PingResp.INSTANCE);
      case DISCONNECT -> onDisconnect((Disconnect) p);
      case AUTH -> auth.onReauthenticate((Auth) p);
      default -> closeWith(ReasonCode.PROTOCOL_ERROR, p.type() + " is not sent by clients");
    }
  }

  private void onPubRec(PubRec rec) {
    if (rec.reasonCode().isError()) {
      // MQTT 5 4.3.3: an error PUBREC ends the QoS 2 flow for that packet identifier
      session.outbox().complete(rec.packetId());
      return;
    }
    if (session.outbox().received(rec.packetId())) {
      return; // the session sends PUBREL once AWAITING_PUBCOMP is durable
    }
    if (version.isV5()) {
      send(new PubRel(rec.packetId(), ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, Properties.EMPTY));
    } else {
      sendPubRel(rec.packetId());
    }
  }

  private void onDisconnect(Disconnect d) {
    Long newExpiry = d.properties().getLong(Property.SESSION_EXPIRY_INTERVAL);
    if (newExpiry != null) {
      if (connectExpiryInterval == 0 && newExpiry != 0) {
        // 3.14.2.2.2: cannot turn a session that ends on disconnect into a persistent one
        closeWith(ReasonCode.PROTOCOL_ERROR, "Session Expiry Interval was 0 at CONNECT");
        return;
      }
      session.expireAfter(Math.min(newExpiry, core.config.maxSessionExpiry()));
    }
    if (d.reasonCode() != ReasonCode.DISCONNECT_WITH_WILL) {
      // [MQTT-3.1.2-10] a normal DISCONNECT discards the Will
      will = null;
    }
    state = State.CLOSED;
    transport.close();
    SessionEnd.connectionEnded(core, this);
  }

  // ---------------------------------------------------------------- sending

  /** Encodes and queues a packet; the lane flushes at the end of the batch. */
  boolean send(Packet p) {
    ByteBuffer bytes = MqttEncoder.encode(p, version, clientMaximumPacketSize);
    if (bytes == null) {
      return false;
    }
    sendEncoded(bytes);
    return true;
  }

  private void sendEncoded(ByteBuffer bytes) {
    core.metrics.on(lane).wrote(bytes.remaining());
    transport.send(bytes);
    if (lane != null && lane.isCurrent()) {
      lane.markDirty(this);
    } else {
      transport.flush();
    }
  }

  /** Sends one delivery as PUBLISH; returns false when it exceeds the client's maximum size. */
  @Override
  public boolean sendPublish(StoredDelivery d, boolean dup) {
    Message m = d.message();
    Properties props = version.isV5() ? outboundProperties(d) : Properties.EMPTY;
    String topic = m.topic();
    int alias = 0;
    if (version.isV5()) {
      alias = aliases.outboundAlias(topic, core.config.topicAliasMaximum());
      if (alias != 0) {
        props = props.toBuilder().put(Property.TOPIC_ALIAS, Math.abs(alias)).build();
        if (alias > 0) {
          topic = "";
        }
      }
    }
    Publish p = new Publish(topic, m.payload(), d.qos(), d.retain(), dup, d.packetId(), props);
    boolean sent = send(p);
    if (sent) {
      // a resend is not a delivery: its latency was counted, or the message was recovered
      core.metrics.on(lane).published(d.qos(), dup ? 0 : m.arrivedAtNanos());
    } else if (alias < 0) {
      aliases.unassign(m.topic());
    }
    return sent;
  }

  private Properties outboundProperties(StoredDelivery d) {
    Message m = d.message();
    boolean hasExpiry = m.expiresAtMillis() != 0;
    if (!hasExpiry && d.subscriptionIdentifiers().isEmpty()) {
      return m.properties();
    }
    Properties.Builder b = m.properties().toBuilder();
    if (hasExpiry) {
      // [MQTT-3.3.2-6] the interval sent is what remains of it
      b.put(Property.MESSAGE_EXPIRY_INTERVAL, m.remainingExpirySeconds(core.clock.millis()));
    }
    b.subscriptionIdentifiers(d.subscriptionIdentifiers());
    return b.build();
  }

  @Override
  public void sendPubRel(int packetId) {
    send(new PubRel(packetId));
  }

  /** Reason String and User Properties only if the client asked for problem information. */
  Properties reason(String text) {
    if (!version.isV5() || !requestProblemInformation || text == null) {
      return Properties.EMPTY;
    }
    return Properties.builder().put(Property.REASON_STRING, text).build();
  }

  @Override
  public boolean isWritable() {
    return transport.isWritable();
  }

  void flush() {
    transport.flush();
  }

  void onWritable() {
    if (session != null && session.connection() == this) {
      session.outbox().drain();
    }
  }

  // ---------------------------------------------------------------- closing

  /**
   * Server-initiated close: MQTT 5 clients past CONNECT get DISCONNECT with the reason code
   * [MQTT-4.13.1-1]; the Will is published (this is not a normal disconnect).
   */
  void closeWith(ReasonCode reason, String why) {
    confined();
    if (state == State.CLOSED) {
      return;
    }
    LOG.log(Level.FINE, () -> "Closing " + assignedClientId + ": " + reason + " (" + why + ")");
    if (version.isV5() && state == State.CONNECTED) {
      send(new Disconnect(reason, reasonProperties(why)));
    }
    state = State.CLOSED;
    transport.flush();
    transport.close();
    SessionEnd.connectionEnded(core, this);
  }

  private Properties reasonProperties(String why) {
    return why == null ? Properties.EMPTY
        : Properties.builder().put(Property.REASON_STRING, why).build();
  }

  /**
   * Drops a client that does not read its socket: nothing it could read is sent, and the
   * connection is cut at once instead of lingering for it.
   */
  void abort(String why) {
    confined();
    if (state == State.CLOSED) {
      return;
    }
    LOG.log(Level.FINE, () -> "Aborting " + assignedClientId + ": " + why);
    state = State.CLOSED;
    transport.abort();
    SessionEnd.connectionEnded(core, this);
  }

  /** Closes without DISCONNECT (refused CONNECT already answered, or DISCONNECT during auth). */
  void closeSilently() {
    confined();
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    transport.flush();
    transport.close();
    SessionEnd.connectionEnded(core, this);
  }

  void protocolFailure(MalformedPacketException e) {
    LOG.log(Level.FINE, () -> "Malformed packet from " + assignedClientId + " at "
        + transport.info().remoteAddress() + ": " + e.getMessage());
    if (state != State.CONNECTED) {
      closeSilently();
    } else {
      closeWith(e.reasonCode(), e.getMessage());
    }
  }

  void onTransportClosed() {
    confined();
    if (state != State.CLOSED) {
      state = State.CLOSED;
      SessionEnd.connectionEnded(core, this);
    }
  }

  /** Why a connected client counts as stuck; the timer disconnects it for that. */
  enum Stuck {
    /** Its outbound buffer stayed full: it reads neither a DISCONNECT nor a lingering close. */
    NOT_READING("client not reading its socket"),
    /** It reads, but has taken none of its queued messages: told with DISCONNECT 0x97. */
    NOT_TAKING("client took none of its queued messages"),
    /**
     * Its full backlog holds back a message a cluster peer forwarded, whose publisher there
     * waits for it: told with DISCONNECT 0x97, which admits the message.
     */
    HOLDING_FORWARDED("client held back a message forwarded by another cluster node");

    final String description;

    Stuck(String description) {
      this.description = description;
    }
  }

  /**
   * @return why this client is stuck (no reading of its socket, or none of its queued messages
   *     taken, for longer than the timeout; or a forwarded message held back past its limit),
   *     or null when it is not
   */
  Stuck stuck(long nowNanos, long nowMillis, long timeoutMillis) {
    if (state != State.CONNECTED) {
      return null;
    }
    if (gate.outboundBlockedNanos(nowNanos) > timeoutMillis * 1_000_000) {
      return Stuck.NOT_READING;
    }
    if (session == null || session.connection() != this) {
      return null;
    }
    if (session.outbox().isStuck(nowMillis, timeoutMillis)) {
      return Stuck.NOT_TAKING;
    }
    return session.outbox().holdsPastLimit(nowMillis) ? Stuck.HOLDING_FORWARDED : null;
  }

  /**
   * @return whether the packet now arriving has averaged less than the minimum rate since the
   *     grace ran out; time the broker itself paused reading does not count against the client
   */
  boolean packetTooSlow(long nowNanos, long graceNanos, long minBytesPerSecond) {
    return state == State.CONNECTED && !gate.isPaused()
        && pace.tooSlow(nowNanos, gate.resumedAtNanos(), graceNanos, minBytesPerSecond);
  }

  /** @return whether no packet arrived within 1.5 times the keep alive [MQTT-3.1.2-22] */
  boolean keepAliveExpired(long nowNanos) {
    return state == State.CONNECTED && keepAliveSeconds > 0
        && nowNanos - lastReceivedNanos > keepAliveSeconds * 1_500_000_000L;
  }
}
