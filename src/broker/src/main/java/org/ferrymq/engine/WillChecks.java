package org.ferrymq.engine;

import java.util.logging.Logger;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.Will;
import org.ferrymq.security.ClientIdentity;

/**
 * A Will is a PUBLISH the server makes for the client later, so it gets every check a PUBLISH
 * gets, twice: at CONNECT, where a failure refuses the connection with the reason code of the
 * spec, and when it is due, where the client's rights (ACL, identity after re-authentication)
 * may have changed and a Will no longer allowed is dropped, logged and counted.
 *
 * <p>The codec already refuses a Will Topic that is not a valid topic name (UTF-8, no wildcards,
 * not empty: [MQTT-3.1.3-11], [MQTT-3.3.2-2]) as a malformed CONNECT. Checked here:
 * <ul>
 *   <li>Will QoS above {@code mqtt.maximum-qos}: 0x9B QoS not supported [MQTT-3.2.2-12];</li>
 *   <li>Will Retain while {@code mqtt.retain-available=false}: 0x9A Retain not supported
 *       [MQTT-3.2.2-13];</li>
 *   <li>a topic starting with {@code $} (the server's topics, such as {@code $SYS}; spec 4.7.2:
 *       clients cannot use them to exchange messages), or beyond {@code mqtt.max-topic-length}
 *       or {@code mqtt.max-topic-levels}: 0x90 Topic Name invalid, which MQTT 5 defines for a
 *       CONNACK as "the Will Topic Name is not malformed, but is not accepted by this
 *       Server";</li>
 *   <li>the publish ACL for the authenticated identity: 0x87 Not authorized.</li>
 * </ul>
 * MQTT 3.1.1 has no such return codes: every one of these is return code 5 Not authorized (the
 * server "MAY check that the contents of the CONNECT Packet meet any further restrictions",
 * 3.1.1 section 3.1.4, and then closes the connection [MQTT-3.2.2-5]).
 */
final class WillChecks {
  private static final Logger LOG = Logger.getLogger(WillChecks.class.getName());

  /** Why a Will is not accepted: the CONNACK reason code and the reason string. */
  record Refusal(ReasonCode reason, String why) {
  }

  private WillChecks() {
  }

  /**
   * The checks that need no identity, run before authentication.
   *
   * @return whether the CONNECT was refused (and the connection closed)
   */
  static boolean refusedBeforeAuthentication(ConnectionHandler h, Will will) {
    Refusal refusal = shapeProblem(will, h.core().config);
    if (refusal == null) {
      return false;
    }
    h.core().security.willRefused();
    ConnectFlow.refuse(h, refusal.reason(), refusal.why());
    return true;
  }

  /**
   * The publish ACL for the authenticated identity.
   *
   * @return whether the CONNECT was refused (and the connection closed)
   */
  static boolean refusedByAcl(ConnectionHandler h, ClientIdentity identity, Will will) {
    if (h.core().authorizer.canPublishWill(identity, will.topic())) {
      return false;
    }
    h.core().security.willRefused();
    ConnectFlow.refuse(h, ReasonCode.NOT_AUTHORIZED, "not authorized to publish the Will topic");
    return true;
  }

  /**
   * The same checks when the Will is due, for the session's identity now.
   *
   * @return whether the Will may be published; if not, it was logged and counted
   */
  static boolean mayPublishWhenDue(BrokerCore core, Session s, Will will) {
    Refusal refusal = shapeProblem(will, core.config);
    if (refusal == null && !core.authorizer.canPublishWill(s.identity(), will.topic())) {
      refusal = new Refusal(ReasonCode.NOT_AUTHORIZED, "no longer authorized to publish "
          + "the Will topic");
    }
    if (refusal == null) {
      return true;
    }
    core.security.willDropped();
    String why = refusal.why();
    LOG.info(() -> "Dropped the Will of client '" + s.clientId() + "'"
        + (s.identity() == null || s.identity().isAnonymous() ? ""
            : " (user '" + s.identity().username() + "')")
        + " to '" + shortened(will.topic()) + "': " + why);
    return false;
  }

  private static String shortened(String topic) {
    return topic.length() <= 200 ? topic : topic.substring(0, 200) + "...";
  }

  private static Refusal shapeProblem(Will will, BrokerConfig config) {
    if (will.qos().value() > config.maximumQos()) {
      return new Refusal(ReasonCode.QOS_NOT_SUPPORTED, "[MQTT-3.2.2-12] Will QoS "
          + will.qos().value() + " above the maximum QoS " + config.maximumQos());
    }
    if (will.retain() && !config.retainAvailable()) {
      return new Refusal(ReasonCode.RETAIN_NOT_SUPPORTED,
          "[MQTT-3.2.2-13] retain is not available");
    }
    if (will.topic().startsWith("$")) {
      return new Refusal(ReasonCode.TOPIC_NAME_INVALID,
          "Will Topic starts with $: those topics are the server's");
    }
    String overLimit = TopicLimits.exceeded(will.topic(), config);
    if (overLimit != null) {
      return new Refusal(ReasonCode.TOPIC_NAME_INVALID, "Will Topic " + overLimit);
    }
    return null;
  }
}
