package org.ferrymq.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.annotation.RegistryScope;
import org.ferrymq.engine.AclDirection;
import org.ferrymq.engine.AuthRefusal;
import org.ferrymq.engine.AuthStats;
import org.ferrymq.engine.BrokerStats;
import org.ferrymq.engine.DropReason;
import org.ferrymq.engine.FlowStats;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.QuotaCap;
import org.ferrymq.engine.QuotaStats;
import org.ferrymq.engine.SecurityStats;
import org.ferrymq.ra.BrokerRuntime;

/**
 * Registers the broker's counters as application gauges when the web module starts; {@code
 * /metrics} shows them in Prometheus format, e.g. {@code ferrymq_clients_connected}.
 */
@ApplicationScoped
public class BrokerMetrics {

  @Inject
  @RegistryScope(scope = MetricRegistry.APPLICATION_SCOPE)
  MetricRegistry registry;

  void register(@Observes @Initialized(ApplicationScoped.class) Object started) {
    gauge("ferrymq.uptime", "Seconds since the broker started", MetricUnits.SECONDS,
        BrokerStats::uptimeSeconds);
    gauge("ferrymq.connections.open", "Network connections open, before and after CONNECT",
        MetricUnits.NONE, BrokerStats::connectionsOpen);
    gauge("ferrymq.connections.total", "Connections accepted since start", MetricUnits.NONE,
        BrokerStats::connectionsTotal);
    gauge("ferrymq.clients.connected", "Clients with an accepted CONNECT", MetricUnits.NONE,
        BrokerStats::clientsConnected);
    gauge("ferrymq.clients.total", "Sessions known, connected or not", MetricUnits.NONE,
        BrokerStats::clientsTotal);
    gauge("ferrymq.subscriptions", "Subscriptions in the index", MetricUnits.NONE,
        BrokerStats::subscriptions);
    gauge("ferrymq.retained.messages", "Retained messages stored", MetricUnits.NONE,
        BrokerStats::retainedMessages);
    gauge("ferrymq.messages.received", "PUBLISH packets received", MetricUnits.NONE,
        BrokerStats::messagesReceived);
    gauge("ferrymq.messages.sent", "PUBLISH packets sent", MetricUnits.NONE,
        BrokerStats::messagesSent);
    gauge("ferrymq.messages.dropped", "Messages not delivered, all reasons",
        MetricUnits.NONE, BrokerStats::messagesDropped);
    for (DropReason reason : DropReason.values()) {
      flowGauge("ferrymq.messages.dropped.by.reason", "Messages not delivered, by reason",
          MetricUnits.NONE, flow -> flow.dropped().getOrDefault(reason, 0L),
          new Tag("reason", reason.label()));
    }
    flowGauge("ferrymq.connections.paused", "Connections not read from right now "
        + "(backpressure)", MetricUnits.NONE, FlowStats::connectionsPaused);
    flowGauge("ferrymq.publishers.throttled", "Publishers with an acknowledgement held back by "
        + "a congested subscriber", MetricUnits.NONE, FlowStats::publishersThrottled);
    flowGauge("ferrymq.slow.subscribers.disconnected", "Clients disconnected for taking nothing "
        + "within mqtt.slow-subscriber-timeout", MetricUnits.NONE,
        FlowStats::slowSubscribersDisconnected);
    flowGauge("ferrymq.slow.packets.closed", "Connections closed for sending a packet slower "
        + "than mqtt.min-packet-rate", MetricUnits.NONE, FlowStats::slowPacketsClosed);
    flowGauge("ferrymq.connections.refused.overload", "CONNECTs refused while overloaded",
        MetricUnits.NONE, FlowStats::connectionsRefusedOverload);
    flowGauge("ferrymq.overloaded", "1 while the heap is past mqtt.overload.heap-high-percent",
        MetricUnits.NONE, flow -> flow.overloaded() ? 1 : 0);
    flowGauge("ferrymq.heap.after.gc.percent", "Heap in use after the latest collection, in "
        + "percent of the maximum", MetricUnits.PERCENT, flow -> Math.round(flow.heapUse() * 100));
    flowGauge("ferrymq.store.available", "0 while the durable store is failed and QoS 1/2 "
        + "publishes are held, else 1", MetricUnits.NONE, flow -> flow.storeAvailable() ? 1 : 0);
    flowGauge("ferrymq.store.failures", "Store fault episodes since start (write error, disk "
        + "full, store closed, database unreachable)", MetricUnits.NONE, FlowStats::storeFailures);
    flowGauge("ferrymq.publishes.held", "PUBLISH packets held until the failed store is back",
        MetricUnits.NONE, FlowStats::publishesHeld);
    for (QuotaCap cap : QuotaCap.values()) {
      quotaGauge("ferrymq.quota.refusals", "CONNECTs, subscriptions and retained messages "
          + "refused with Quota exceeded (0x97) since start, by cap", MetricUnits.NONE,
          quota -> quota.refusals().getOrDefault(cap, 0L), new Tag("cap", cap.label()));
    }
    quotaGauge("ferrymq.sessions.kept", "Sessions of network clients kept, connected or not "
        + "(mqtt.max-sessions)", MetricUnits.NONE, QuotaStats::sessions);
    quotaGauge("ferrymq.sessions.persistent", "Sessions with a non-zero expiry, connected or "
        + "not (mqtt.max-persistent-sessions)", MetricUnits.NONE, QuotaStats::persistentSessions);
    quotaGauge("ferrymq.retained.size", "Bytes of retained messages: payload, topic and "
        + "properties (mqtt.retained.max-bytes)", MetricUnits.BYTES, QuotaStats::retainedBytes);
    authGauge("ferrymq.auth.failures", "Logins refused for their credentials (0x86, 0x87)",
        AuthStats::failures);
    authGauge("ferrymq.auth.throttled", "Logins refused unchecked after too many failures of "
        + "their source address or user name (0x9F / return code 5)", AuthStats::throttled);
    authGauge("ferrymq.auth.refused.busy", "CONNECTs refused because the credential-check "
        + "queue was full (0x89 / return code 3)", AuthStats::refusedBusy);
    authGauge("ferrymq.auth.checks.pending", "Credential checks waiting or running",
        AuthStats::checksPending);
    authGauge("ferrymq.auth.throttle.tracked", "Source addresses and user names the login "
        + "throttle remembers", AuthStats::throttleTracked);
    for (AuthRefusal reason : AuthRefusal.values()) {
      securityGauge("ferrymq.auth.refusals.by.reason", "Logins refused since start, by reason "
          + "(bad credentials, not authorized, throttled, server unavailable or busy...)",
          security -> security.authRefusals().getOrDefault(reason, 0L),
          new Tag("reason", reason.label()));
    }
    for (AclDirection direction : AclDirection.values()) {
      securityGauge("ferrymq.acl.denials", "Topic ACL denials since start, by direction "
          + "(publish, subscribe, deliver, will)",
          security -> security.aclDenials().getOrDefault(direction, 0L),
          new Tag("direction", direction.label()));
    }
    securityGauge("ferrymq.wills.refused", "CONNECTs refused for their Will (topic starting "
        + "with $, topic limits, ACL, QoS, retain)", SecurityStats::willsRefused);
    securityGauge("ferrymq.wills.dropped", "Wills not published when due because the client "
        + "was no longer allowed to publish them", SecurityStats::willsDropped);
    authGauge("ferrymq.takeovers.refused", "CONNECTs refused because their client id belongs "
        + "to another identity's session (0x85 / return code 2)", AuthStats::takeoversRefused);
    gauge("ferrymq.messages.queued", "Messages held in session queues", MetricUnits.NONE,
        BrokerStats::messagesQueued);
    gauge("ferrymq.bytes.received", "Bytes read from transports", MetricUnits.BYTES,
        BrokerStats::bytesReceived);
    gauge("ferrymq.bytes.sent", "Bytes written to transports", MetricUnits.BYTES,
        BrokerStats::bytesSent);
    registry.gauge(Metadata.builder().withName("ferrymq.websocket.origins.refused")
        .withDescription("WebSocket upgrades refused with 403 for the page's origin "
            + "(mqtt.websocket.allowed-origins), on the listeners and on Liberty's port")
        .withUnit(MetricUnits.NONE).build(), () -> org.ferrymq.ra.SecurityRuntime.current()
            .map(security -> security.origins().refusals()).orElse(0L));
  }

  private void quotaGauge(String name, String description, String unit,
      ToLongFunction<QuotaStats> value, Tag... tags) {
    snapshotGauge(name, description, unit, MqttBroker::quotaStats, value, tags);
  }

  private void flowGauge(String name, String description, String unit,
      ToLongFunction<FlowStats> value, Tag... tags) {
    snapshotGauge(name, description, unit, MqttBroker::flowStats, value, tags);
  }

  private void authGauge(String name, String description, ToLongFunction<AuthStats> value) {
    snapshotGauge(name, description, MetricUnits.NONE, MqttBroker::authStats, value);
  }

  private void securityGauge(String name, String description,
      ToLongFunction<SecurityStats> value, Tag... tags) {
    snapshotGauge(name, description, MetricUnits.NONE, MqttBroker::securityStats, value, tags);
  }

  private void gauge(String name, String description, String unit,
      ToLongFunction<BrokerStats> value) {
    snapshotGauge(name, description, unit, MqttBroker::stats, value);
  }

  /** A gauge reading one value of a broker snapshot, 0 while no broker runs. */
  private <T> void snapshotGauge(String name, String description, String unit,
      Function<MqttBroker, T> snapshot, ToLongFunction<T> value, Tag... tags) {
    Metadata metadata = Metadata.builder().withName(name).withDescription(description)
        .withUnit(unit).build();
    Supplier<Long> reading = () -> BrokerRuntime.current()
        .map(running -> value.applyAsLong(snapshot.apply(running.broker()))).orElse(0L);
    registry.gauge(metadata, reading, tags);
  }
}
