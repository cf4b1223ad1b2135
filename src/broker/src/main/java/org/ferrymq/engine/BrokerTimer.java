package org.ferrymq.engine;

import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.Will;
import org.ferrymq.security.ClientIdentity;

/**
 * The broker's timer: every 500 ms it checks overload, closes connections that never got to
 * CONNACK in time, and asks each lane to sweep its own clients (stuck or slow clients,
 * keep-alive, expired credentials, delayed Wills, session expiry, offline message expiry);
 * every {@code mqtt.sys-interval} seconds it publishes {@code $SYS} and purges expired retained
 * messages. The sweeps run on the lanes, so they touch sessions as their owners.
 */
final class BrokerTimer {
  private static final Logger LOG = Logger.getLogger(BrokerTimer.class.getName());
  private static final long SWEEP_INTERVAL_MILLIS = 500;

  private final BrokerCore core;
  private final SysTopics sysTopics;

  BrokerTimer(BrokerCore core, SysTopics sysTopics) {
    this.core = core;
    this.sysTopics = sysTopics;
  }

  /** The timer loop: returns once the broker stops and counts the latch down. */
  void run(CountDownLatch stopSignal) {
    long lastSys = core.clock.millis();
    while (core.isRunning()) {
      try {
        if (stopSignal.await(SWEEP_INTERVAL_MILLIS, TimeUnit.MILLISECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      core.overload.check();
      core.closeUnidentified(System.nanoTime());
      sweepLanes();
      if (core.moves != null) {
        core.moves.sweep(System.nanoTime());
      }
      long now = core.clock.millis();
      if (core.config.sysIntervalSeconds() > 0 && now - lastSys >= core.config.sysIntervalSeconds() * 1000L) {
        lastSys = now;
        sysTopics.publish();
        core.retained.purgeExpired();
      }
    }
  }

  /** Queues a sweep on every lane; the timer calls it, and tests that move the clock by hand. */
  void sweepLanes() {
    core.forEachLane(lane -> lane.execute(() -> sweep(lane)));
  }

  /** Keep-alive, delayed Wills, session expiry and offline queue expiry of one lane. */
  private void sweep(Lane lane) {
    long nowNanos = System.nanoTime();
    long nowMillis = core.clock.millis();
    long slowTimeoutMillis = core.config.slowSubscriberTimeoutSeconds() * 1000L;
    long packetGraceNanos = TimeUnit.SECONDS.toNanos(core.config.connectTimeoutSeconds());
    for (ConnectionHandler c : new ArrayList<>(lane.connections)) {
      ConnectionHandler.Stuck stuck = c.stuck(nowNanos, nowMillis, slowTimeoutMillis);
      if (stuck != null) {
        core.metrics.slowSubscribersDisconnected.increment();
        String limit = stuck == ConnectionHandler.Stuck.HOLDING_FORWARDED
            ? core.forwardTimeoutMillis / 1000 + " s (mqtt.cluster.forward-timeout)"
            : core.config.slowSubscriberTimeoutSeconds() + " s (mqtt.slow-subscriber-timeout)";
        LOG.warning(() -> "Disconnecting " + c.clientId() + ": " + stuck.description
            + " for more than " + limit + "; its publishers were slowed meanwhile");
        if (stuck == ConnectionHandler.Stuck.NOT_READING) {
          c.abort(stuck.description);
        } else {
          c.closeWith(ReasonCode.QUOTA_EXCEEDED, stuck.description);
        }
      } else if (c.keepAliveExpired(nowNanos)) {
        c.closeWith(ReasonCode.KEEP_ALIVE_TIMEOUT, "no packet within 1.5 x keep alive");
      } else if (c.packetTooSlow(nowNanos, packetGraceNanos, core.config.minPacketRate())) {
        core.metrics.slowPacketsClosed.increment();
        LOG.warning(() -> "Disconnecting " + c.clientId() + ": its packet in progress "
            + "arrived at under " + core.config.minPacketRate() + " bytes/s (mqtt.min-packet-rate) "
            + "after " + core.config.connectTimeoutSeconds() + " s (mqtt.connect-timeout)");
        // A packet that does not complete is no packet: the keep-alive reason fits best
        c.closeWith(ReasonCode.KEEP_ALIVE_TIMEOUT, "packet arriving below mqtt.min-packet-rate");
      } else if (c.identity() != null && c.identity().expiredAt(core.clock.instant())) {
        ClientIdentity expired = c.identity();
        LOG.info(() -> "Disconnecting " + expired.clientId() + " (user "
            + expired.username() + "): its credentials expired at " + expired.expiresAt());
        c.closeWith(ReasonCode.NOT_AUTHORIZED, "credentials expired");
      }
    }
    long now = core.clock.millis();
    for (Session s : new ArrayList<>(lane.offlineSessions)) {
      if (s.peer() != null) {
        lane.offlineSessions.remove(s);
      } else if (s.sessionExpired(now)) {
        SessionEnd.endSession(core, s);
      } else {
        Will due = s.takeWillDue(now);
        if (due != null) {
          SessionEnd.publishWill(core, due, s);
          s.persist();
        }
        s.outbox().purgeExpired(now);
      }
    }
  }
}
