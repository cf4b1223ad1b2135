package org.ferrymq.engine;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.security.ClientIdentity;
import org.ferrymq.security.AuthenticationResult;
import org.ferrymq.security.ConnectRequest;

/**
 * CONNECT handling: client identifier rules, limits, authentication, session takeover and
 * resumption, and the CONNACK that advertises the server's capabilities.
 */
final class ConnectFlow {
  private static final Logger LOG = Logger.getLogger(ConnectFlow.class.getName());
  private static final int MQTT31_MAX_CLIENT_ID = 23;

  private ConnectFlow() {
  }

  static void onConnect(ConnectionHandler h, Connect c) {
    h.connectReceived(c);
    BrokerConfig config = h.core().config;
    boolean idAssigned = c.clientId().isEmpty();
    if (c.version() == ProtocolVersion.MQTT_3_1
        && (idAssigned || c.clientId().length() > MQTT31_MAX_CLIENT_ID)) {
      refuse(h, ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "MQTT 3.1 client ids are 1..23 chars");
      return;
    }
    if (c.version() == ProtocolVersion.MQTT_3_1_1 && idAssigned && !c.cleanStart()) {
      refuse(h, ReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
          "[MQTT-3.1.3-8] empty client id needs clean session");
      return;
    }
    if (c.clientId().length() > config.maxClientIdLength()) {
      refuse(h, ReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
          "client id longer than " + config.maxClientIdLength());
      return;
    }
    if (BanCheck.refused(h, c.username())) {
      return;
    }
    if (h.core().metrics.clientsConnected.sum() >= config.maxConnections()) {
      refuse(h, ReasonCode.SERVER_BUSY, "connection limit " + config.maxConnections() + " reached");
      return;
    }
    if (h.core().overload.isOverloaded()) {
      h.core().metrics.connectionsRefusedOverload.increment();
      refuse(h, ReasonCode.SERVER_BUSY, "broker overloaded (heap above "
          + "mqtt.overload.heap-high-percent)");
      return;
    }
    if (c.will() != null && WillChecks.refusedBeforeAuthentication(h, c.will())) {
      return;
    }
    ConnectRequest request = new ConnectRequest(h.clientId(), c.username(), c.password(),
        h.transport().info(), c.version());
    if (CredentialCheck.throttled(h, request)) {
      return;
    }
    // Before any credential, however presented: enhanced authentication (SCRAM) skipped the
    // secure profile's TLS-only rule when it lived in the password check alone
    AuthenticationResult.Failure transport = h.core().authenticator.refusesTransport(request);
    if (transport != null) {
      refuse(h, transport.reasonCode(), transport.logMessage());
      return;
    }
    String method = c.properties().getString(Property.AUTHENTICATION_METHOD);
    if (method != null) {
      h.auth().begin(method, request, c.properties().getBytes(Property.AUTHENTICATION_DATA));
      return;
    }
    CredentialCheck.start(h, request);
  }

  /** Authentication succeeded: take over, resume or create the session and send CONNACK. */
  static void accept(ConnectionHandler h, ClientIdentity identity, String authMethod,
      byte[] authData) {
    Connect c = h.takePendingConnect();
    // An identity from a certificate or token may name a banned user the CONNECT did not
    if (identity != null && BanCheck.refused(h, identity.username())) {
      return;
    }
    if (h.core().handover != null && h.core().session(h.clientId()) == null) {
      // a cluster: another node may hold the session; the CONNECT goes on when it answered
      RemoteSessionClaim.claim(h, c, identity, authMethod, authData);
      return;
    }
    resumeOrCreate(h, c, identity, authMethod, authData);
  }

  /**
   * Takes over the client's session on this node, resumes it or creates one, and sends
   * CONNACK. On the connection's lane; a session handed over from another node is here already.
   */
  static void resumeOrCreate(ConnectionHandler h, Connect c, ClientIdentity identity,
      String authMethod, byte[] authData) {
    BrokerCore core = h.core();
    BrokerConfig config = core.config;
    String id = h.clientId();
    Session existing = core.session(id);
    if (existing != null && !SessionOwnership.permits(existing, identity)) {
      // [MQTT-3.1.3-5] a client id the server does not allow: another identity's session
      core.ownership.refused(id, existing.owner(), identity, h.transport().info().remoteAddress());
      refuse(h, ReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
          "the client identifier belongs to another identity's session", Level.FINE);
      return;
    }
    if (c.will() != null && WillChecks.refusedByAcl(h, identity, c.will())) {
      return;
    }
    long expiry = expiryFor(c, config);
    QuotaCap full = core.slots.reserve(existing, expiry > 0);
    if (full != null) {
      refuseOverQuota(h, full);
      return;
    }
    // From here the places are this connection's; ending the earlier session frees none of them
    boolean persistentHandedOver = existing != null && existing.handOverSlots();
    if (existing != null && existing.connection() != null) {
      // [MQTT-3.1.4-3] the owner's earlier connection is disconnected with 0x8E and closed
      existing.connection().closeWith(ReasonCode.SESSION_TAKEN_OVER, "another client connected");
      existing = core.session(id);
    }
    boolean present = existing != null && !c.cleanStart();
    Session s;
    if (present) {
      s = existing;
      h.lane().offlineSessions.remove(s);
    } else {
      if (existing != null) {
        SessionEnd.endSession(core, existing);
      }
      s = core.newSession(id, h.lane());
    }
    core.slots.settle(s, expiry > 0, persistentHandedOver);
    SessionOwnership.bind(s, identity, present);
    Properties props = c.properties();
    s.connectedAs(c.version(), identity, expiry);
    int keepAlive = c.keepAlive();
    boolean keepAliveChanged = c.version().isV5() && config.maxKeepAlive() < 65_535
        && (keepAlive == 0 || keepAlive > config.maxKeepAlive());
    core.metrics.clientsConnected.increment();
    h.establish(s, identity, c, expiry, keepAliveChanged ? config.maxKeepAlive() : keepAlive);
    if (core.wills != null && expiry == 0 && c.will() != null) {
      h.willCopied(core.wills.kept(id, c.will()));
    }

    ConnAck ack = new ConnAck(present, ReasonCode.SUCCESS, c.version().isV5()
        ? connAckProperties(h, c, expiry, keepAliveChanged, authMethod, authData)
        : Properties.EMPTY);
    h.send(ack);
    s.attach(h, props.intOr(Property.RECEIVE_MAXIMUM, 65_535));
    s.persist();
    LOG.log(Level.FINE, () -> "Connected " + id + " (" + c.version() + ", session present "
        + present + ") from " + h.transport().info().remoteAddress());
  }

  /**
   * The session expiry used: the client's, at most {@code mqtt.max-session-expiry}; an MQTT 3
   * persistent session gets {@code mqtt.v3-session-expiry} under the same cap.
   */
  private static long expiryFor(Connect c, BrokerConfig config) {
    if (c.version().isV5()) {
      return Math.min(c.properties().longOr(Property.SESSION_EXPIRY_INTERVAL, 0),
          config.maxSessionExpiry());
    }
    return c.cleanStart() ? 0 : Math.min(config.v3SessionExpiry(), config.maxSessionExpiry());
  }

  /** A session cap is reached: CONNACK 0x97 (MQTT 3: return code 3), counted, logged once. */
  private static void refuseOverQuota(ConnectionHandler h, QuotaCap cap) {
    long limit = cap == QuotaCap.SESSIONS ? h.core().config.maxSessions()
        : h.core().config.maxPersistentSessions();
    h.core().quotaRefusals.refused(cap, h.clientId(), () -> "CONNECT from "
        + h.transport().info().remoteAddress() + " refused with Quota exceeded, " + limit
        + (cap == QuotaCap.SESSIONS ? " sessions" : " persistent sessions") + " kept");
    sendRefusal(h, ReasonCode.QUOTA_EXCEEDED, cap.setting() + " (" + limit + ") reached");
  }

  private static Properties connAckProperties(ConnectionHandler h, Connect c, long expiry,
      boolean keepAliveChanged, String authMethod, byte[] authData) {
    BrokerConfig config = h.core().config;
    Properties.Builder b = Properties.builder()
        .put(Property.RECEIVE_MAXIMUM, config.receiveMaximum())
        .put(Property.MAXIMUM_PACKET_SIZE, config.maxPacketSize())
        .put(Property.TOPIC_ALIAS_MAXIMUM, config.topicAliasMaximum());
    if (config.maximumQos() < 2) {
      b.put(Property.MAXIMUM_QOS, config.maximumQos());
    }
    if (!config.retainAvailable()) {
      b.put(Property.RETAIN_AVAILABLE, 0);
    }
    if (!config.wildcardSubscriptions()) {
      b.put(Property.WILDCARD_SUBSCRIPTION_AVAILABLE, 0);
    }
    if (!config.subscriptionIdentifiers()) {
      b.put(Property.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 0);
    }
    if (!config.sharedSubscriptions()) {
      b.put(Property.SHARED_SUBSCRIPTION_AVAILABLE, 0);
    }
    if (c.clientId().isEmpty()) {
      b.put(Property.ASSIGNED_CLIENT_IDENTIFIER, h.clientId());
    }
    if (expiry != c.properties().longOr(Property.SESSION_EXPIRY_INTERVAL, 0)) {
      b.put(Property.SESSION_EXPIRY_INTERVAL, expiry);
    }
    if (keepAliveChanged) {
      b.put(Property.SERVER_KEEP_ALIVE, h.keepAliveSeconds());
    }
    if (c.properties().intOr(Property.REQUEST_RESPONSE_INFORMATION, 0) == 1) {
      b.put(Property.RESPONSE_INFORMATION, "response/" + h.clientId() + "/");
    }
    if (authMethod != null) {
      b.put(Property.AUTHENTICATION_METHOD, authMethod);
      if (authData != null && authData.length > 0) {
        b.put(Property.AUTHENTICATION_DATA, authData);
      }
    }
    return b.build();
  }

  /** Answers CONNACK with a failure code and closes [MQTT-3.2.2-7]. */
  static void refuse(ConnectionHandler h, ReasonCode reason, String why) {
    refuse(h, reason, why, Level.INFO);
  }

  /**
   * Like {@link #refuse(ConnectionHandler, ReasonCode, String)}, logged at the given level: FINE
   * for refusals a flood repeats, whose episode is logged once elsewhere.
   */
  static void refuse(ConnectionHandler h, ReasonCode reason, String why, Level level) {
    LOG.log(level, () -> "Refused CONNECT from " + h.transport().info().remoteAddress()
        + " client '" + h.clientId() + "': " + reason + (why == null ? "" : " - " + why));
    sendRefusal(h, reason, why);
  }

  private static void sendRefusal(ConnectionHandler h, ReasonCode reason, String why) {
    h.send(new ConnAck(false, reason, h.version().isV5() && why != null
        ? Properties.builder().put(Property.REASON_STRING, why).build() : Properties.EMPTY));
    h.closeSilently();
  }
}
