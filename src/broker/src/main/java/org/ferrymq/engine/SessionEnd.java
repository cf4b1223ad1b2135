package org.ferrymq.engine;

import java.util.List;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.Will;
import org.ferrymq.persistence.StoredDelivery;

/**
 * What follows when a connection or a session ends: the session is detached and kept, or ended
 * (subscriptions, queue and store record go, shared messages go to other members), and its Will
 * is published now, held for its delay, or dropped if no longer allowed. Runs on the session's
 * lane.
 */
final class SessionEnd {
  private SessionEnd() {
  }

  /** A connection reached CLOSED: detach it from its session; Will and expiry follow. */
  static void connectionEnded(BrokerCore core, ConnectionHandler h) {
    // From here on the transport lingers or is gone: it no longer counts as paused
    h.gate().closed();
    h.acks().dropHeld();
    if (h.lane() != null) {
      h.lane().connections.remove(h);
    }
    long willCopy = h.takeWillCopy();
    if (willCopy != 0) {
      // this node deals with the Will now (published, or discarded by DISCONNECT)
      core.wills.released(h.clientId(), willCopy);
    }
    Session s = h.session();
    if (s == null || s.connection() != h) {
      return;
    }
    core.metrics.clientsConnected.decrement();
    long now = core.clock.millis();
    s.detach(now);
    Will will = h.takeWill();
    if (s.expiryIntervalSeconds() == 0) {
      if (will != null) {
        publishWill(core, will, s);
      }
      endSession(core, s);
      return;
    }
    if (will != null) {
      long delay = Math.min(will.delayIntervalSeconds(), s.expiryIntervalSeconds());
      if (delay == 0) {
        publishWill(core, will, s);
      } else {
        // [MQTT-3.1.3-9] held back until the delay passes or the session ends
        s.holdWill(will, now + delay * 1000);
      }
    }
    s.persist();
    s.lane().offlineSessions.add(s);
  }

  static void publishWill(BrokerCore core, Will will, Session s) {
    if (!WillChecks.mayPublishWhenDue(core, s, will)) {
      return;
    }
    publishWill(core, will, s.clientId(), s.lane());
  }

  /** Publishes a Will that may be published, of the client {@code clientId}, on that lane. */
  static void publishWill(BrokerCore core, Will will, String clientId, Lane lane) {
    Properties props = will.properties();
    long expiresAt = 0;
    Long interval = props.getLong(Property.MESSAGE_EXPIRY_INTERVAL);
    if (interval != null) {
      expiresAt = core.clock.millis() + interval * 1000;
    }
    if (props.has(Property.WILL_DELAY_INTERVAL) || interval != null) {
      props = props.toBuilder().remove(Property.WILL_DELAY_INTERVAL)
          .remove(Property.MESSAGE_EXPIRY_INTERVAL).build();
    }
    core.metrics.on(lane).received(will.qos());
    core.retainAndRoute(new Message(will.topic(), will.payload(), will.qos(), will.retain(), props,
        expiresAt, clientId, 0, System.nanoTime()), lane);
  }

  /** Ends a session: subscriptions, queue and store record go; a pending Will is published. */
  static void endSession(BrokerCore core, Session s) {
    Will w = s.takeWill();
    if (w != null) {
      publishWill(core, w, s);
    }
    List<StoredDelivery> shared = s.outbox().takeShared(null);
    remove(core, s);
    for (StoredDelivery d : shared) {
      core.router.redistribute(d.message(), d.sharedFilter(), s.clientId());
    }
  }

  /**
   * Takes a session off this node, its Will and shared messages already dealt with: its
   * subscriptions leave the index, its places are freed, and its queue and store record go.
   */
  static void remove(BrokerCore core, Session s) {
    core.index.unsubscribeAll(s.clientId());
    leave(core, s);
  }

  /**
   * Takes a session that moved to another node off this one, like {@link #remove}, but leaves
   * its subscriptions in the index: the {@link MovedSession} that follows it keeps them.
   */
  static void leave(BrokerCore core, Session s) {
    core.sessions.remove(s);
    core.slots.release(s);
    s.lane().offlineSessions.remove(s);
    s.outbox().clearDeliveries();
    core.persistence.sessions().delete(s.clientId());
  }
}
