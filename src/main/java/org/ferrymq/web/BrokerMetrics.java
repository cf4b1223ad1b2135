package org.ferrymq.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.annotation.RegistryScope;
import org.ferrymq.engine.BrokerStats;
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
    gauge("ferrymq.messages.dropped", "Messages discarded (queue full, expired, too large)",
        MetricUnits.NONE, BrokerStats::messagesDropped);
    gauge("ferrymq.messages.queued", "Messages held in session queues", MetricUnits.NONE,
        BrokerStats::messagesQueued);
    gauge("ferrymq.bytes.received", "Bytes read from transports", MetricUnits.BYTES,
        BrokerStats::bytesReceived);
    gauge("ferrymq.bytes.sent", "Bytes written to transports", MetricUnits.BYTES,
        BrokerStats::bytesSent);
  }

  private void gauge(String name, String description, String unit,
      ToLongFunction<BrokerStats> value) {
    Metadata metadata = Metadata.builder().withName(name).withDescription(description)
        .withUnit(unit).build();
    Supplier<Long> reading = () -> BrokerRuntime.current()
        .map(running -> value.applyAsLong(running.broker().stats())).orElse(0L);
    registry.gauge(metadata, reading);
  }
}
