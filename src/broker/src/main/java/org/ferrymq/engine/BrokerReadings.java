package org.ferrymq.engine;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;

/**
 * What threads other than the lanes (admin API, metrics, health checks, {@code $SYS}) read about
 * the broker: thread-safe counters and sizes, and each session's published {@link
 * Session#summary}. Nothing here reads lane-confined state.
 */
final class BrokerReadings {
  private BrokerReadings() {
  }

  static BrokerStats stats(BrokerCore core) {
    return new BrokerStats(
        core.uptimeSeconds(),
        core.metrics.connectionsOpen.sum(),
        core.metrics.clientsConnected.sum(),
        core.sessions.size() + core.inProcess.size(),
        core.metrics.connectionsTotal.sum(),
        core.index.size(),
        core.retained.size(),
        core.metrics.messagesReceived(),
        core.metrics.messagesSent(),
        core.metrics.bytesReceived.sum(),
        core.metrics.bytesSent(),
        core.metrics.messagesDropped(),
        core.metrics.messagesQueued());
  }

  static QuotaStats quotaStats(BrokerCore core) {
    return new QuotaStats(core.slots.sessions(), core.slots.persistentSessions(), core.retained.size(),
        core.retained.bytes(), core.quotaRefusals.counts());
  }

  static FlowStats flowStats(BrokerCore core) {
    EnumMap<DropReason, Long> drops = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      drops.put(r, core.metrics.messagesDropped(r));
    }
    return new FlowStats(core.overload.isOverloaded(), core.overload.heapUse(),
        core.metrics.connectionsPaused.sum(), core.metrics.publishersThrottled.sum(),
        core.metrics.slowSubscribersDisconnected.sum(), core.metrics.slowPacketsClosed.sum(),
        core.metrics.connectionsRefusedOverload.sum(),
        drops, core.storeAvailable, core.persistence.failureCount(), core.metrics.publishesHeld.sum());
  }

  static TrafficStats trafficStats(BrokerCore core) {
    return new TrafficStats(core.metrics.messagesReceivedByQos(),
        core.metrics.messagesSentByQos(), core.metrics.connectionsOpenByKind(),
        core.metrics.deliveryLatency(), core.persistence.commitLatency());
  }

  static SecurityStats securityStats(BrokerCore core) {
    return core.security.snapshot();
  }

  static AuthStats authStats(BrokerCore core) {
    return new AuthStats(core.metrics.authFailures.sum(), core.metrics.authThrottled.sum(),
        core.metrics.authRefusedBusy.sum(), core.authExecutor.pending(), core.loginThrottle.tracked(),
        core.ownership.refusedCount());
  }

  /**
   * Reads each network client's session's published view: safe from the admin thread, no lane
   * is asked. Applications' durable sessions are not listed (see MqttBroker.clients).
   */
  static List<ClientSummary> clients(BrokerCore core) {
    List<ClientSummary> out = new ArrayList<>();
    for (SessionHandle s : core.sessions.all()) {
      if (!InProcessSubscribers.isInProcessKey(s.clientId())) {
        out.add(((Session) s).summary());
      }
    }
    return out;
  }
}
