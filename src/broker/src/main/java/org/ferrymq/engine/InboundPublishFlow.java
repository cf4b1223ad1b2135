package org.ferrymq.engine;

import java.util.function.Consumer;
import java.util.logging.Logger;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.PubComp;
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;

/**
 * PUBLISH from a client: topic alias resolution, capability and permission checks, routing, and
 * the QoS 1/2 acknowledgements. QoS 2 uses spec 4.3.3 method B: the message is routed when the
 * PUBLISH arrives and its packet identifier is held until PUBREL, so a duplicate PUBLISH is
 * acknowledged again but not routed twice ({@link InboundQos2} decides by DUP and content).
 *
 * <p>Across a crash: the receipt is written before routing (marked as under way) and again
 * once every receiver stored the message, and PUBREC waits until that is durable; PUBCOMP waits
 * until the release is durable. A restart then finds either a receipt for every message the
 * client may resend (a resend is acknowledged, or routed only to the sessions that had not
 * stored it yet) or none for an identifier the client was told is free.
 */
final class InboundPublishFlow {
  private static final Logger LOG = Logger.getLogger(InboundPublishFlow.class.getName());

  private InboundPublishFlow() {
  }

  static void onPublish(ConnectionHandler h, Publish p) {
    BrokerConfig config = h.core().config;
    String topic = p.topic();
    Integer alias = p.properties().getInt(Property.TOPIC_ALIAS);
    if (alias != null) {
      if (alias == 0 || alias > config.topicAliasMaximum()) {
        // [MQTT-3.3.2-9] / [MQTT-3.3.2-10]
        h.closeWith(ReasonCode.TOPIC_ALIAS_INVALID, "topic alias " + alias + " out of range");
        return;
      }
      topic = h.aliases().resolveInbound(alias, topic);
      if (topic == null) {
        h.closeWith(ReasonCode.PROTOCOL_ERROR, "unknown topic alias " + alias);
        return;
      }
    }
    if (p.qos().value() > config.maximumQos()) {
      // [MQTT-3.2.2-11]
      h.closeWith(ReasonCode.QOS_NOT_SUPPORTED, "QoS " + p.qos().value() + " not supported");
      return;
    }
    if (p.retain() && !config.retainAvailable()) {
      // [MQTT-3.2.2-14]
      h.closeWith(ReasonCode.RETAIN_NOT_SUPPORTED, "retain is not available");
      return;
    }
    String overLimit = TopicLimits.exceeded(topic, config);
    if (overLimit != null) {
      h.closeWith(ReasonCode.TOPIC_NAME_INVALID, "topic " + overLimit);
      return;
    }
    Session s = h.session();
    Message message = toMessage(h, p, topic);
    InboundQos2.Verdict verdict = InboundQos2.Verdict.NEW;
    long contentHash = 0;
    if (p.qos() == QoS.EXACTLY_ONCE) {
      contentHash = ContentHash.of(message);
      verdict = s.inbound().classify(p.packetId(), p.dup(), contentHash);
      if (verdict == InboundQos2.Verdict.DUPLICATE) {
        acknowledgeDuplicate(h, p.packetId());
        return;
      }
    }
    // a reused or resumed identifier is already counted among the unacknowledged
    if (p.qos() != QoS.AT_MOST_ONCE && h.version().isV5() && verdict == InboundQos2.Verdict.NEW
        && h.acks().unacknowledgedInbound() >= config.receiveMaximum()) {
      // [MQTT-3.3.4-7] and 3.3.4 Flow Control; MQTT 3 has no Receive Maximum: its QoS 2 flows are
      // bounded by the packet identifier space, and a flood is paused, not disconnected
      h.closeWith(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED, "more than " + config.receiveMaximum()
          + " unacknowledged QoS 1 and QoS 2 messages");
      return;
    }
    if (h.acks().holdsPublishes() || (p.qos() != QoS.AT_MOST_ONCE && !h.core().storeAvailable)) {
      // The store is failed: not routed, not acknowledged, processed in order once it is back
      h.acks().hold(p, message, contentHash);
      return;
    }
    accept(h, p, message, contentHash,
        p.qos() == QoS.AT_MOST_ONCE ? null : h.acks().expectAck(p.qos()));
  }

  /**
   * Routes a PUBLISH that passed the checks, now or after the store recovered.
   *
   * @param m the message, made when the PUBLISH arrived (its expiry counts from then)
   * @param contentHash {@link ContentHash#of} the message for QoS 2, computed once on arrival
   * @param ack its place in the acknowledgement order, {@code null} for QoS 0
   */
  static void accept(ConnectionHandler h, Publish p, Message m, long contentHash,
      InboundAcks.PendingAck ack) {
    String topic = m.topic();
    h.core().metrics.on(h.lane()).received(p.qos());
    boolean allowed = !topic.startsWith("$") && h.core().authorizer.canPublish(h.identity(), topic);
    if (!allowed && !h.version().isV5()) {
      // MQTT 3 has no negative acknowledgement: the message is acknowledged and dropped
      h.core().metrics.on(h.lane()).dropped(DropReason.NOT_AUTHORIZED);
    }
    // Past a retained-message cap the message is still delivered, only not retained: the live
    // stream is what subscribers rely on, and MQTT 5 QoS 1/2 publishers learn it from 0x97
    boolean retainRefused = allowed && p.retain() && !h.core().retain(m);
    if (p.qos() == QoS.AT_MOST_ONCE) {
      if (allowed) {
        h.core().router.route(m, h.lane(), null, h.gate(), null, null, null);
      }
      return;
    }
    if (!allowed) {
      ack.complete(h, ackFor(h, p, h.version().isV5() ? ReasonCode.NOT_AUTHORIZED
          : ReasonCode.SUCCESS, null));
      return;
    }
    Lane lane = h.lane();
    boolean refusedV5 = retainRefused && h.version().isV5();
    if (p.qos() == QoS.AT_LEAST_ONCE && !h.version().isV5() && h.core().partlyTaken != null) {
      routeQos1InCluster(h, p, m, ack);
      return;
    }
    if (p.qos() == QoS.AT_LEAST_ONCE || refusedV5) {
      // The acknowledgement waits until every receiver has queued the message and the store
      // has made those writes durable; acknowledgements still leave in PUBLISH order. A PUBREC
      // of 0x80 or above ends a QoS 2 exchange (4.3.3): no receipt to hold for it then.
      h.core().router.route(m, lane, receivers -> acknowledgeWhenDurable(h, p, ack, receivers,
          refusedV5, null), h.gate(), null, null, null);
      return;
    }
    Session s = h.session();
    // classified again: a copy resent while this one was held for the store may have come first
    InboundQos2.Verdict verdict = s.inbound().classify(p.packetId(), p.dup(), contentHash);
    if (verdict == InboundQos2.Verdict.DUPLICATE) {
      // resent while the first copy was held for the store: acknowledged again, not routed
      h.core().persistence.afterDurable(() -> lane.executeOrRun(() -> ack.complete(h,
          new PubRec(p.packetId()))));
      return;
    }
    InboundQos2.Receipt receipt;
    AlreadyRouted reached = null;
    if (verdict == InboundQos2.Verdict.RESUME) {
      receipt = s.inbound().get(p.packetId());
      reached = receipt.recovered();
    } else {
      if (verdict == InboundQos2.Verdict.REUSED) {
        boolean sameContent = s.inbound().get(p.packetId()).contentHash == contentHash;
        LOG.fine(() -> "Client " + s.clientId() + " reused the unreleased packet identifier "
            + p.packetId() + " (DUP " + p.dup() + ", " + (sameContent ? "same" : "different")
            + " content): a new message [MQTT-4.3.3-12]");
      }
      receipt = s.inbound().accept(p.packetId(), contentHash);
    }
    // Stored before any receiver stores the message: a restart then knows routing was under way
    try {
      s.persist();
    } catch (RuntimeException e) {
      // A store that throws (not one of ours: they hold instead) leaves no receipt behind, or
      // the client's resend would be taken for a duplicate of a message never routed
      s.inbound().release(p.packetId());
      throw e;
    }
    Message numbered = m.withOriginSequence(receipt.sequence);
    // Marked routed as soon as every receiver stored it, not only once a congested one admits
    // it: a receiver that completes the message meanwhile leaves no trace a restart could use.
    // After a failed delivery an MQTT 3 client resends (it has no negative acknowledgement):
    // the receipt keeps who took the message, so the resend reaches only the others.
    Consumer<AlreadyRouted> whenBrokeOff = h.version().isV5() ? null
        : took -> lane.executeOrRun(() -> s.inbound().brokeOff(receipt, took));
    h.core().router.route(numbered, lane, receivers -> acknowledgeWhenDurable(h, p, ack, receivers,
        false, receipt), h.gate(), reached, () -> lane.executeOrRun(() -> {
          if (s.inbound().routed(receipt) && h.core().session(s.clientId()) == s) {
            s.persist();
          }
        }), whenBrokeOff);
  }

  /**
   * An MQTT 3 client's QoS 1 message in a cluster: if a receiver's delivery throws, the session
   * remembers who took it ({@link Qos1BreakOffs}), and the client's resend keeps the message's
   * number and reaches only the others, here and, by that number, on the peers ({@link
   * PartlyTakenForwards}). QoS 1 allows the duplicates; this saves them. A single node leaves
   * this out, which keeps its per-message path as it was.
   */
  private static void routeQos1InCluster(ConnectionHandler h, Publish p, Message m,
      InboundAcks.PendingAck ack) {
    Session s = h.session();
    Lane lane = h.lane();
    Qos1BreakOffs.BrokenOff before = s.qos1BreakOffs().resent(p.packetId(), p.dup(), m);
    Message routed = before == null ? m : m.withOriginSequence(before.sequence());
    h.core().router.route(routed, lane, receivers -> acknowledgeWhenDurable(h, p, ack, receivers,
        false, null), h.gate(), before == null ? null : before.took(), null,
        took -> lane.executeOrRun(() -> s.qos1BreakOffs().brokeOff(p.packetId(), routed, took)));
  }

  /** @param receipt the QoS 2 receipt of the message, null for QoS 1 or a refused retain */
  private static void acknowledgeWhenDurable(ConnectionHandler h, Publish p,
      InboundAcks.PendingAck ack, int receivers, boolean retainRefused,
      InboundQos2.Receipt receipt) {
    Lane lane = h.lane();
    if (receivers == Router.FAILED) {
      lane.executeOrRun(() -> failed(h, p, ack, receipt));
      return;
    }
    h.core().persistence.afterDurable(() -> lane.executeOrRun(() -> ack.complete(h,
        retainRefused ? ackFor(h, p, ReasonCode.QUOTA_EXCEEDED, "delivered but not retained: "
            + "the retained-message limit is reached")
            : ackFor(h, p, receivers == 0 && h.version().isV5()
                ? ReasonCode.NO_MATCHING_SUBSCRIBERS : ReasonCode.SUCCESS, null))));
  }

  /**
   * A receiver could not take the message: never acknowledged as a success. MQTT 5 gets
   * PUBACK/PUBREC 0x80 Unspecified error, which ends a QoS 2 flow (4.3.3), so its receipt goes.
   * MQTT 3 has no negative acknowledgement, so the connection closes and the client resends
   * [MQTT-4.4.0-1]; a QoS 2 receipt stays with the sessions that did take the message, and the
   * resend reaches only the others, so none of them gets it twice (the router's break-off
   * report, which comes first, has recorded them).
   */
  private static void failed(ConnectionHandler h, Publish p, InboundAcks.PendingAck ack,
      InboundQos2.Receipt receipt) {
    boolean receiptStays = receipt != null && !h.version().isV5();
    if (!receiptStays && p.qos() == QoS.EXACTLY_ONCE
        && h.session().inbound().release(p.packetId())) {
      h.session().persist();
    }
    if (h.version().isV5()) {
      ack.complete(h, ackFor(h, p, ReasonCode.UNSPECIFIED_ERROR, null));
    } else {
      h.closeWith(ReasonCode.UNSPECIFIED_ERROR, "a receiver could not take message "
          + p.packetId());
    }
  }

  /**
   * [MQTT-4.3.3-10] a resent PUBLISH of a held identifier is acknowledged again, not routed; the
   * PUBREC leaves after the original's, which waits for the store.
   */
  private static void acknowledgeDuplicate(ConnectionHandler h, int packetId) {
    InboundAcks.PendingAck ack = h.acks().expectAck(QoS.EXACTLY_ONCE);
    Lane lane = h.lane();
    h.core().persistence.afterDurable(() -> lane.executeOrRun(() -> ack.complete(h,
        new PubRec(packetId))));
  }

  private static Message toMessage(ConnectionHandler h, Publish p, String topic) {
    Properties props = p.properties();
    long expiresAt = 0;
    if (h.version().isV5() && !props.isEmpty()) {
      Long interval = props.getLong(Property.MESSAGE_EXPIRY_INTERVAL);
      if (interval != null) {
        expiresAt = h.core().clock.millis() + interval * 1000;
      }
      if (interval != null || props.has(Property.TOPIC_ALIAS)
          || props.has(Property.SUBSCRIPTION_IDENTIFIER)) {
        props = props.toBuilder().remove(Property.MESSAGE_EXPIRY_INTERVAL)
            .remove(Property.TOPIC_ALIAS).remove(Property.SUBSCRIPTION_IDENTIFIER).build();
      }
    }
    // In a cluster each message gets its identity here (QoS 2 with its receipt, later), so a
    // session that moves between nodes takes it once (docs/cluster.md, "The handover window")
    long number = h.core().moves == null || p.qos() == QoS.EXACTLY_ONCE ? 0
        : h.session().inbound().numberOther();
    return new Message(topic, p.payload(), p.qos(), p.retain(), props, expiresAt,
        h.session().clientId(), number, System.nanoTime());
  }

  private static Packet ackFor(ConnectionHandler h, Publish p, ReasonCode code, String why) {
    Properties props = h.reason(why);
    return p.qos() == QoS.AT_LEAST_ONCE
        ? new PubAck(p.packetId(), code, props)
        : new PubRec(p.packetId(), code, props);
  }

  /**
   * [MQTT-4.3.3-11] PUBREL is answered with PUBCOMP, sent once the release is durable: a client
   * reuses the identifier only after PUBCOMP [MQTT-4.3.3-12], so a restart never holds an
   * identifier the client was told is free.
   */
  static void onPubRel(ConnectionHandler h, PubRel rel) {
    boolean known = h.session().inbound().release(rel.packetId());
    if (known) {
      h.session().persist();
    }
    ReasonCode code = known || !h.version().isV5()
        ? ReasonCode.SUCCESS : ReasonCode.PACKET_IDENTIFIER_NOT_FOUND;
    PubComp comp = new PubComp(rel.packetId(), code, Properties.EMPTY);
    Lane lane = h.lane();
    h.core().persistence.afterDurable(() -> lane.executeOrRun(() -> {
      if (h.state() == ConnectionHandler.State.CONNECTED) {
        h.send(comp);
      }
    }));
  }
}
