package org.ferrymq.engine;

import org.ferrymq.config.BrokerConfig;
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
 * acknowledged again but not routed twice.
 */
final class InboundPublishFlow {
  private InboundPublishFlow() {
  }

  static void onPublish(ConnectionHandler h, Publish p) {
    BrokerConfig config = h.core.config;
    String topic = p.topic();
    Integer alias = p.properties().getInt(Property.TOPIC_ALIAS);
    if (alias != null) {
      if (alias == 0 || alias > config.topicAliasMaximum()) {
        // [MQTT-3.3.2-9] / [MQTT-3.3.2-10]
        h.closeWith(ReasonCode.TOPIC_ALIAS_INVALID, "topic alias " + alias + " out of range");
        return;
      }
      topic = h.aliases.resolveInbound(alias, topic);
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
    if (exceedsLimits(topic, config)) {
      h.closeWith(ReasonCode.TOPIC_NAME_INVALID, "topic exceeds the configured level or length "
          + "limit");
      return;
    }
    Session s = h.session;
    if (p.qos() == QoS.EXACTLY_ONCE && s.awaitingPubrel.contains(p.packetId())) {
      // duplicate of a PUBLISH already routed: acknowledge again only
      h.send(new PubRec(p.packetId()));
      return;
    }
    if (p.qos() != QoS.AT_MOST_ONCE && h.version.isV5()
        && h.unacknowledgedInbound() >= config.receiveMaximum()) {
      // [MQTT-3.3.4-7] and 3.3.4 Flow Control; MQTT 3 has no Receive Maximum: its QoS 2 flows are
      // bounded by the packet identifier space, and a flood is paused, not disconnected
      h.closeWith(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED, "more than " + config.receiveMaximum()
          + " unacknowledged QoS 1 and QoS 2 messages");
      return;
    }
    h.core.metrics.on(h.lane).received();
    boolean allowed = !topic.startsWith("$") && h.core.authorizer.canPublish(h.identity, topic);
    if (!allowed && !h.version.isV5()) {
      // MQTT 3 has no negative acknowledgement: the message is acknowledged and dropped
      h.core.metrics.on(h.lane).dropped(DropReason.NOT_AUTHORIZED);
    }
    Message m = allowed ? toMessage(h, p, topic) : null;
    // Past a retained-message cap the message is still delivered, only not retained: the live
    // stream is what subscribers rely on, and MQTT 5 QoS 1/2 publishers learn it from 0x97
    boolean retainRefused = allowed && p.retain() && !h.core.retain(m);
    if (p.qos() == QoS.AT_MOST_ONCE) {
      if (allowed) {
        h.core.router.route(m, h.lane, null, h.gate);
      }
      return;
    }
    ConnectionHandler.PendingAck ack = h.expectAck(p.qos());
    if (!allowed) {
      ack.complete(h, ackFor(h, p, h.version.isV5() ? ReasonCode.NOT_AUTHORIZED
          : ReasonCode.SUCCESS, null));
      return;
    }
    boolean refusedV5 = retainRefused && h.version.isV5();
    if (p.qos() == QoS.EXACTLY_ONCE && !refusedV5) {
      // A PUBREC of 0x80 or above ends the exchange (4.3.3): no PUBREL to wait for then
      s.awaitingPubrel.add(p.packetId());
      s.persist();
    }
    Lane lane = h.lane;
    // The acknowledgement waits until every receiver has queued the message and the store
    // has made those writes durable; acknowledgements still leave in PUBLISH order.
    h.core.router.route(m, lane, receivers ->
        h.core.persistence.afterDurable(() -> lane.executeOrRun(() -> ack.complete(h,
            refusedV5 ? ackFor(h, p, ReasonCode.QUOTA_EXCEEDED, "delivered but not retained: "
                + "the retained-message limit is reached")
                : ackFor(h, p, receivers == 0 && h.version.isV5()
                    ? ReasonCode.NO_MATCHING_SUBSCRIBERS : ReasonCode.SUCCESS, null)))), h.gate);
  }

  private static boolean exceedsLimits(String topic, BrokerConfig config) {
    if (topic.length() > config.maxTopicLength()) {
      return true;
    }
    int levels = 1;
    for (int i = 0; i < topic.length(); i++) {
      if (topic.charAt(i) == '/' && ++levels > config.maxTopicLevels()) {
        return true;
      }
    }
    return false;
  }

  private static Message toMessage(ConnectionHandler h, Publish p, String topic) {
    Properties props = p.properties();
    long expiresAt = 0;
    if (h.version.isV5() && !props.isEmpty()) {
      Long interval = props.getLong(Property.MESSAGE_EXPIRY_INTERVAL);
      if (interval != null) {
        expiresAt = h.core.clock.millis() + interval * 1000;
      }
      if (interval != null || props.has(Property.TOPIC_ALIAS)
          || props.has(Property.SUBSCRIPTION_IDENTIFIER)) {
        props = props.toBuilder().remove(Property.MESSAGE_EXPIRY_INTERVAL)
            .remove(Property.TOPIC_ALIAS).remove(Property.SUBSCRIPTION_IDENTIFIER).build();
      }
    }
    return new Message(topic, p.payload(), p.qos(), p.retain(), props, expiresAt,
        h.session.clientId);
  }

  private static Packet ackFor(ConnectionHandler h, Publish p, ReasonCode code, String why) {
    Properties props = h.reason(why);
    return p.qos() == QoS.AT_LEAST_ONCE
        ? new PubAck(p.packetId(), code, props)
        : new PubRec(p.packetId(), code, props);
  }

  static void onPubRel(ConnectionHandler h, PubRel rel) {
    boolean known = h.session.awaitingPubrel.remove(rel.packetId());
    if (known) {
      h.session.persist();
    }
    ReasonCode code = known || !h.version.isV5()
        ? ReasonCode.SUCCESS : ReasonCode.PACKET_IDENTIFIER_NOT_FOUND;
    h.send(new PubComp(rel.packetId(), code, Properties.EMPTY));
  }
}
