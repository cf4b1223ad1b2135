package org.ferrymq.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.Subscription;
import org.ferrymq.topic.SubscriptionEntry;

/**
 * Durable in-process subscribers: an application's consumer (a message-driven bean's activation)
 * that is a persistent {@link Session} of the broker rather than an {@link InProcessSubscriber}.
 * The session is the engine's own, so everything a persistent network session has applies: its
 * subscription and queue outlive the consumer (bounded by {@code mqtt.queue.*}, drops counted),
 * the store keeps them across restarts in modes queued and persistent, a delivery stays in flight
 * until acknowledged, and a full queue slows the publishers while the consumer is attached.
 *
 * <p>The session is keyed {@code U+0000 "session/" name}: no network client id can equal it
 * ({@link InProcessSubscribers#KEY_MARK}), and the same name finds the same session after an
 * application or server restart. It expires {@code mqtt.max-session-expiry} after its consumer
 * detached, like a network session asking for the longest expiry. Work on the session runs on
 * its lane; the calls here wait for it and must not be made from a lane.
 */
final class InProcessSessions {
  private static final String KEY_PREFIX = InProcessSubscribers.KEY_MARK + "session/";
  private static final long LANE_WAIT_SECONDS = 10;

  private InProcessSessions() {
  }

  /** @return the session key of the durable subscriber with that name */
  static String keyOf(String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("an in-process session needs a name");
    }
    return KEY_PREFIX + name;
  }

  /** @see MqttBroker#attachSession */
  static LocalSubscription attach(BrokerCore core, String name, String filter, QoS maxQos,
      int receiveMaximum, Consumer<InProcessDelivery> listener) {
    if (receiveMaximum < 1 || receiveMaximum > 65_535) {
      throw new IllegalArgumentException("receive maximum out of range (1..65535): "
          + receiveMaximum);
    }
    String key = keyOf(name);
    SubscriptionEntry entry = SubscriptionEntry.of(key, new Subscription(filter, maxQos), 0);
    Lane lane = core.laneFor(key);
    InProcessPeer peer = onLane(lane, () -> {
      Session s = sessionFor(core, key, lane);
      subscribeOnly(core, s, entry);
      InProcessPeer p = new InProcessPeer(s, core, listener);
      s.attachInProcess(p, receiveMaximum);
      s.persist();
      return p;
    });
    // Closing detaches the consumer; the session stays and queues (see the class comment)
    return new ClosingSubscription(filter, () -> lane.execute(() -> detach(core, key, peer)));
  }

  /** @see MqttBroker#endSession */
  static boolean end(BrokerCore core, String name) {
    String key = keyOf(name);
    Lane lane = core.laneFor(key);
    return onLane(lane, () -> {
      Session s = core.session(key);
      if (s != null) {
        SessionEnd.endSession(core, s);
      }
      return s != null;
    });
  }

  /** The named session, resumed (taken off its lane's offline list) or created persistent. */
  private static Session sessionFor(BrokerCore core, String key, Lane lane) {
    Session s = core.session(key);
    if (s != null) {
      if (s.peer() != null) {
        throw new IllegalStateException("the in-process session " + key.substring(1)
            + " already has a consumer");
      }
      lane.offlineSessions.remove(s);
      s.connectedAs(ProtocolVersion.MQTT_5, null, core.config.maxSessionExpiry());
      return s;
    }
    QuotaCap full = core.slots.reserve(null, true);
    if (full != null) {
      throw new IllegalStateException("cannot create the in-process session "
          + key.substring(1) + ": " + full.setting() + " is reached");
    }
    s = core.newSession(key, lane);
    core.slots.settle(s, true, false);
    // No identity: the application reads in the broker's own name (Session#mayRead)
    s.connectedAs(ProtocolVersion.MQTT_5, null, core.config.maxSessionExpiry());
    return s;
  }

  /** Leaves the session with exactly the consumer's subscription, as it is configured now. */
  private static void subscribeOnly(BrokerCore core, Session s, SubscriptionEntry entry) {
    for (String old : s.subscriptionFilters()) {
      if (!old.equals(entry.fullFilter())) {
        core.index.unsubscribe(s.clientId(), old);
        s.unsubscribed(old);
      }
    }
    core.index.subscribe(entry);
    s.subscribed(entry);
  }

  private static void detach(BrokerCore core, String key, InProcessPeer peer) {
    Session s = core.session(key);
    if (s == null || s.peer() != peer) {
      return;
    }
    s.detach(core.clock.millis());
    s.persist();
    s.lane().offlineSessions.add(s);
  }

  private static <T> T onLane(Lane lane, Supplier<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    lane.execute(() -> {
      try {
        result.complete(task.get());
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    try {
      return result.get(LANE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("the broker's lane did not answer within "
          + LANE_WAIT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the broker's lane", e);
    }
  }
}
