package org.ferrymq.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.ferrymq.message.Message;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Will;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.topic.SubscriptionEntry;

/**
 * Rebuilds the sessions, their subscriptions, queues, QoS 2 receipts and Wills, and the retained
 * messages from the store when the broker starts, before the lanes run: the starting thread
 * restores each session as its lane's owner ({@link Lane#runAsOwner}).
 */
final class SessionRecovery {
  private static final Logger LOG = Logger.getLogger(SessionRecovery.class.getName());

  private SessionRecovery() {
  }

  static void recover(BrokerCore core) {
    long now = core.clock.millis();
    int shortened = 0;
    List<StoredSession> stored = core.persistence.sessions().loadSessions();
    Map<String, Map<Long, AlreadyRouted>> interrupted = interruptedRoutings(stored);
    for (StoredSession record : stored) {
      Session s = core.newSession(record.clientId(), core.laneFor(record.clientId()));
      if (record.expiryIntervalSeconds() > core.config.maxSessionExpiry()) {
        // A session stored under a longer (or the former unbounded) maximum gets today's
        shortened++;
      }
      s.lane().runAsOwner(() -> recoverSession(core, s, record, interrupted, now));
    }
    for (StoredSession record : stored) {
      Map<Long, AlreadyRouted> bySequence = interrupted.getOrDefault(record.clientId(), Map.of());
      Session s = core.session(record.clientId());
      s.lane().runAsOwner(() -> s.inbound().restore(record.receipts(),
          record.nextInboundSequence(), bySequence::get));
    }
    for (Message m : core.persistence.retained().loadRetained()) {
      core.retained.restore(m);
    }
    if (shortened > 0) {
      int n = shortened;
      LOG.info(() -> n + " recovered sessions had a longer expiry than mqtt.max-session-expiry ("
          + core.config.maxSessionExpiry() + " s) and now expire after it");
    }
  }

  /** Restores one stored session on its lane (run by the starting thread as its owner). */
  private static void recoverSession(BrokerCore core, Session s, StoredSession record,
      Map<String, Map<Long, AlreadyRouted>> interrupted, long now) {
    List<StoredDelivery> deliveries = core.persistence.queues().load(record.clientId());
    for (StoredDelivery d : deliveries) {
      Map<Long, AlreadyRouted> bySequence = interrupted.get(d.message().originClientId());
      AlreadyRouted reached = bySequence == null ? null
          : bySequence.get(d.message().originSequence());
      if (reached != null) {
        reached.add(record.clientId(), d.sharedFilter());
      }
    }
    restore(core, s, record, deliveries, now);
  }

  /**
   * Gives a new offline session what its record and deliveries say: expiry, owner, places,
   * subscriptions (in the index too), queue and in-flight window, and its held Will. On the
   * session's lane; the inbound QoS 2 receipts follow separately.
   */
  static void restore(BrokerCore core, Session s, StoredSession record,
      List<StoredDelivery> deliveries, long now) {
    s.recover(record, versionOf(record.protocolLevel()), core.config.maxSessionExpiry(), now);
    core.slots.restore(s, s.isPersistent());
    for (SubscriptionEntry e : record.subscriptions()) {
      core.index.subscribe(e);
    }
    s.outbox().restore(deliveries);
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
}
