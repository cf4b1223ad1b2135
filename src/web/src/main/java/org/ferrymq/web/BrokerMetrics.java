package org.ferrymq.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricID;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.annotation.RegistryScope;
import org.ferrymq.cluster.ClusterStatus;
import org.ferrymq.cluster.ClusterView;
import org.ferrymq.engine.AclDirection;
import org.ferrymq.engine.AuthRefusal;
import org.ferrymq.engine.AuthStats;
import org.ferrymq.engine.BrokerStats;
import org.ferrymq.engine.DropReason;
import org.ferrymq.engine.FlowStats;
import org.ferrymq.engine.QuotaCap;
import org.ferrymq.engine.QuotaStats;
import org.ferrymq.engine.SecurityStats;
import org.ferrymq.engine.TrafficStats;
import org.ferrymq.packet.QoS;
import org.ferrymq.ra.BrokerRuntime;
import org.ferrymq.ra.BrokerRuntime.Running;
import org.ferrymq.stats.LatencySnapshot;
import org.ferrymq.transport.TransportKind;

/**
 * Registers the broker's figures as application metrics when the web module starts; {@code
 * /metrics} shows them in Prometheus format. What counts events since start is a counter ({@code
 * ferrymq_messages_received_total}), fed by a {@link CounterBridge}; what is a level now is a
 * gauge ({@code ferrymq_clients_connected}). docs/metrics.md lists them all.
 */
@ApplicationScoped
public class BrokerMetrics {

  private static final Function<Running, BrokerStats> STATS = r -> r.broker().stats();
  private static final Function<Running, TrafficStats> TRAFFIC = r -> r.broker().trafficStats();
  private static final Function<Running, FlowStats> FLOW = r -> r.broker().flowStats();
  private static final Function<Running, QuotaStats> QUOTA = r -> r.broker().quotaStats();
  private static final Function<Running, AuthStats> AUTH = r -> r.broker().authStats();
  private static final Function<Running, SecurityStats> SECURITY =
      r -> r.broker().securityStats();
  private static final Function<Running, Optional<ClusterStatus>> CLUSTER = Running::cluster;

  @Inject
  @RegistryScope(scope = MetricRegistry.APPLICATION_SCOPE)
  MetricRegistry registry;

  private CounterBridge counters;
  /** One per snapshot function, shared by every counter that reads it (see metric). */
  private final Map<Function<Running, ?>, Supplier<Optional<?>>> snapshotsPerSync =
      new HashMap<>();

  void unregister(@Observes @BeforeDestroyed(ApplicationScoped.class) Object stopping) {
    if (counters != null) {
      counters.close();
    }
  }

  void register(@Observes @Initialized(ApplicationScoped.class) Object started) {
    counters = new CounterBridge();
    gauge("ferrymq.uptime", "Seconds since the broker started", MetricUnits.SECONDS,
        BrokerStats::uptimeSeconds);
    gauge("ferrymq.connections.open", "Network connections open, before and after CONNECT",
        MetricUnits.NONE, BrokerStats::connectionsOpen);
    counter("ferrymq.connections", "Connections accepted since start", MetricUnits.NONE,
        BrokerStats::connectionsTotal);
    gauge("ferrymq.clients.connected", "Clients with an accepted CONNECT", MetricUnits.NONE,
        BrokerStats::clientsConnected);
    gauge("ferrymq.clients.total", "Sessions known, connected or not", MetricUnits.NONE,
        BrokerStats::clientsTotal);
    gauge("ferrymq.subscriptions", "Subscriptions in the index", MetricUnits.NONE,
        BrokerStats::subscriptions);
    gauge("ferrymq.retained.messages", "Retained messages stored", MetricUnits.NONE,
        BrokerStats::retainedMessages);
    counter("ferrymq.messages.received", "PUBLISH packets received", MetricUnits.NONE,
        BrokerStats::messagesReceived);
    counter("ferrymq.messages.sent", "PUBLISH packets sent", MetricUnits.NONE,
        BrokerStats::messagesSent);
    counter("ferrymq.messages.dropped", "Messages not delivered, all reasons",
        MetricUnits.NONE, BrokerStats::messagesDropped);
    for (DropReason reason : DropReason.values()) {
      metric(Kind.COUNTER, "ferrymq.messages.dropped.by.reason", "Messages not delivered, by "
          + "reason", MetricUnits.NONE, FLOW,
          flow -> flow.dropped().getOrDefault(reason, 0L), new Tag("reason", reason.label()));
    }
    gauge("ferrymq.messages.queued", "Messages held in session queues", MetricUnits.NONE,
        BrokerStats::messagesQueued);
    counter("ferrymq.network.read", "Bytes read from transports", MetricUnits.BYTES,
        BrokerStats::bytesReceived);
    counter("ferrymq.network.written", "Bytes written to transports", MetricUnits.BYTES,
        BrokerStats::bytesSent);
    registerTraffic();
    registerFlow();
    registerQuotas();
    registerSecurity();
    if (BrokerRuntime.current().map(Running::clustered).orElse(false)) {
      registerCluster();
    }
  }

  /**
   * The cluster's metrics, registered only on a clustered server (the adapter started before
   * this module, so whether it joined a cluster is known here).
   */
  private void registerCluster() {
    cluster(Kind.GAUGE, "ferrymq.cluster.members", "Members in the cluster now, this one "
        + "included", ClusterStatus::memberCount);
    cluster(Kind.GAUGE, "ferrymq.cluster.clients.connected", "Clients connected over all "
        + "members, as each last reported (every mqtt.sys-interval)",
        status -> status.totals().clientsConnected());
    cluster(Kind.COUNTER, "ferrymq.cluster.messages.forwarded", "Messages this node forwarded "
        + "to peers with a matching subscriber", ClusterStatus::forwarded);
    cluster(Kind.COUNTER, "ferrymq.cluster.messages.received", "Messages peers forwarded to "
        + "this node, routed to its subscribers", ClusterStatus::receivedFromPeers);
    cluster(Kind.COUNTER, "ferrymq.cluster.batches.sent", "Batches the forwarded messages "
        + "crossed in", ClusterStatus::batchesSent);
    cluster(Kind.COUNTER, "ferrymq.cluster.joins.refused", "Join requests this node refused, "
        + "as master, for want of the shared secret", ClusterStatus::refusedJoins);
    cluster(Kind.COUNTER, "ferrymq.cluster.sessions.handed.over", "Sessions this node handed "
        + "over to a CONNECT on another node", ClusterStatus::sessionsHandedOver);
    cluster(Kind.COUNTER, "ferrymq.cluster.sessions.restored", "Sessions of members that left "
        + "that this node restored from their backup copies", ClusterStatus::sessionsRestored);
    PeerSeries series = new PeerSeries();
    series.metrics = new PeerMetrics(() -> BrokerRuntime.current()
        .flatMap(Running::clusterNodes).map(ClusterView::peers).orElse(List.of()), series);
    series.metrics.refresh();
    counters.beforeEachSync(series.metrics::refresh);
  }

  /**
   * The series of one peer, tagged {@code peer}: messages forwarded there and received from
   * there (counters), and the messages it has not settled yet (a gauge).
   */
  private final class PeerSeries implements PeerMetrics.Series {
    private static final String FORWARDED = "ferrymq.cluster.peer.messages.forwarded";
    private static final String RECEIVED = "ferrymq.cluster.peer.messages.received";
    private static final String UNSETTLED = "ferrymq.cluster.peer.messages.unsettled";
    private PeerMetrics metrics;
    /** The counters fed per peer, guarded by the metrics' refresh. */
    private final Map<String, List<Counter>> fed = new HashMap<>();

    @Override
    public void add(String peer) {
      Tag tag = new Tag("peer", peer);
      Counter forwarded = registry.counter(Metadata.builder().withName(FORWARDED)
          .withDescription("Messages this node forwarded to the peer (cluster address)")
          .withUnit(MetricUnits.NONE).build(), tag);
      Counter received = registry.counter(Metadata.builder().withName(RECEIVED)
          .withDescription("Messages the peer (cluster address) forwarded to this node, "
              + "routed to its subscribers")
          .withUnit(MetricUnits.NONE).build(), tag);
      counters.feed(forwarded, () -> metrics.of(peer).forwarded());
      counters.feed(received, () -> metrics.of(peer).received());
      fed.put(peer, List.of(forwarded, received));
      registry.gauge(Metadata.builder().withName(UNSETTLED)
          .withDescription("QoS 1/2 messages forwarded to the peer (cluster address), or "
              + "waiting for it, that it has not settled yet: their publishers' "
              + "acknowledgements wait (backpressure between the nodes)")
          .withUnit(MetricUnits.NONE).build(), () -> metrics.of(peer).unsettled(), tag);
    }

    @Override
    public void remove(String peer) {
      List<Counter> fedCounters = fed.remove(peer);
      if (fedCounters != null) {
        fedCounters.forEach(counters::unfeed);
      }
      Tag tag = new Tag("peer", peer);
      for (String name : List.of(FORWARDED, RECEIVED, UNSETTLED)) {
        registry.remove(new MetricID(name, tag));
      }
    }
  }

  private void cluster(Kind kind, String name, String description,
      ToLongFunction<ClusterStatus> value) {
    metric(kind, name, description, MetricUnits.NONE, CLUSTER,
        status -> status.map(value::applyAsLong).orElse(0L));
  }

  private void registerTraffic() {
    for (QoS qos : QoS.values()) {
      Tag tag = new Tag("qos", Integer.toString(qos.value()));
      traffic(Kind.COUNTER, "ferrymq.messages.received.by.qos", "PUBLISH packets received, by "
          + "the QoS they came with", t -> t.receivedByQos().get(qos), tag);
      traffic(Kind.COUNTER, "ferrymq.messages.sent.by.qos", "PUBLISH packets sent (and messages "
          + "handed to in-process subscribers), by the QoS they went out with",
          t -> t.sentByQos().get(qos), tag);
    }
    for (TransportKind kind : TransportKind.values()) {
      traffic(Kind.GAUGE, "ferrymq.connections.open.by.listener", "Network connections open, "
          + "by how they connected (tcp, tls, ws, wss; ws and wss count both WebSocket paths)",
          t -> t.connectionsOpenByKind().get(kind),
          new Tag("listener", kind.name().toLowerCase(Locale.ROOT)));
    }
    histogram("ferrymq.delivery.latency", "From a PUBLISH's arrival to each copy written to a "
        + "subscriber (first transmissions; time queued for a slow subscriber included)",
        TrafficStats::deliveryLatency);
    histogram("ferrymq.store.commit.latency", "Commit and sync of the durable store, once per "
        + "group commit", TrafficStats::storeCommitLatency);
  }

  /**
   * A latency histogram as Prometheus reads one: a counter per bucket, cumulative, labelled
   * with its upper bound in seconds ({@code le}, so {@code histogram_quantile} works), a count,
   * and the sum in microseconds.
   */
  private void histogram(String name, String description,
      Function<TrafficStats, LatencySnapshot> which) {
    for (int i = 0; i < LatencySnapshot.buckets(); i++) {
      int bucket = i;
      double bound = LatencySnapshot.upperBoundSeconds(i);
      String le = Double.isInfinite(bound) ? "+Inf"
          : BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
      traffic(Kind.COUNTER, name + ".bucket", description + ": how many took at most le "
          + "seconds", t -> which.apply(t).cumulative(bucket), new Tag("le", le));
    }
    traffic(Kind.COUNTER, name + ".count", description + ": how many",
        t -> which.apply(t).count());
    traffic(Kind.COUNTER, name + ".micros", description + ": their sum in microseconds",
        t -> which.apply(t).sumMicros());
  }

  private void traffic(Kind kind, String name, String description,
      ToLongFunction<TrafficStats> value, Tag... tags) {
    metric(kind, name, description, MetricUnits.NONE, TRAFFIC, value, tags);
  }

  private void registerFlow() {
    flow(Kind.GAUGE, "ferrymq.connections.paused", "Connections not read from right now "
        + "(backpressure)", MetricUnits.NONE, FlowStats::connectionsPaused);
    flow(Kind.GAUGE, "ferrymq.publishers.throttled", "Publishers with an acknowledgement held "
        + "back by a congested subscriber", MetricUnits.NONE, FlowStats::publishersThrottled);
    flow(Kind.COUNTER, "ferrymq.slow.subscribers.disconnected", "Clients disconnected for "
        + "taking nothing within mqtt.slow-subscriber-timeout", MetricUnits.NONE,
        FlowStats::slowSubscribersDisconnected);
    flow(Kind.COUNTER, "ferrymq.slow.packets.closed", "Connections closed for sending a packet "
        + "slower than mqtt.min-packet-rate", MetricUnits.NONE, FlowStats::slowPacketsClosed);
    flow(Kind.COUNTER, "ferrymq.connections.refused.overload", "CONNECTs refused while "
        + "overloaded", MetricUnits.NONE, FlowStats::connectionsRefusedOverload);
    flow(Kind.GAUGE, "ferrymq.overloaded", "1 while the heap is past "
        + "mqtt.overload.heap-high-percent", MetricUnits.NONE, f -> f.overloaded() ? 1 : 0);
    flow(Kind.GAUGE, "ferrymq.heap.after.gc.percent", "Heap in use after the latest "
        + "collection, in percent of the maximum", MetricUnits.PERCENT,
        f -> Math.round(f.heapUse() * 100));
    flow(Kind.GAUGE, "ferrymq.store.available", "0 while the durable store is failed and QoS "
        + "1/2 publishes are held, else 1", MetricUnits.NONE, f -> f.storeAvailable() ? 1 : 0);
    flow(Kind.COUNTER, "ferrymq.store.failures", "Store fault episodes since start (write "
        + "error, disk full, store closed, database unreachable)", MetricUnits.NONE,
        FlowStats::storeFailures);
    flow(Kind.GAUGE, "ferrymq.publishes.held", "PUBLISH packets held until the failed store is "
        + "back", MetricUnits.NONE, FlowStats::publishesHeld);
  }

  private void registerQuotas() {
    for (QuotaCap cap : QuotaCap.values()) {
      metric(Kind.COUNTER, "ferrymq.quota.refusals", "CONNECTs, subscriptions and retained "
          + "messages refused with Quota exceeded (0x97), by cap", MetricUnits.NONE,
          QUOTA, quota -> quota.refusals().getOrDefault(cap, 0L),
          new Tag("cap", cap.label()));
    }
    metric(Kind.GAUGE, "ferrymq.sessions.kept", "Sessions of network clients kept, connected "
        + "or not (mqtt.max-sessions)", MetricUnits.NONE, QUOTA,
        QuotaStats::sessions);
    metric(Kind.GAUGE, "ferrymq.sessions.persistent", "Sessions with a non-zero expiry, "
        + "connected or not (mqtt.max-persistent-sessions)", MetricUnits.NONE,
        QUOTA, QuotaStats::persistentSessions);
    metric(Kind.GAUGE, "ferrymq.retained.size", "Bytes of retained messages: payload, topic "
        + "and properties (mqtt.retained.max-bytes)", MetricUnits.BYTES, QUOTA,
        QuotaStats::retainedBytes);
  }

  private void registerSecurity() {
    auth(Kind.COUNTER, "ferrymq.auth.failures", "Logins refused for their credentials (0x86, "
        + "0x87)", AuthStats::failures);
    auth(Kind.COUNTER, "ferrymq.auth.throttled", "Logins refused unchecked after too many "
        + "failures of their source address or user name (0x9F / return code 5)",
        AuthStats::throttled);
    auth(Kind.COUNTER, "ferrymq.auth.refused.busy", "CONNECTs refused because the "
        + "credential-check queue was full (0x89 / return code 3)", AuthStats::refusedBusy);
    auth(Kind.GAUGE, "ferrymq.auth.checks.pending", "Credential checks waiting or running",
        AuthStats::checksPending);
    auth(Kind.GAUGE, "ferrymq.auth.throttle.tracked", "Source addresses and user names the "
        + "login throttle remembers", AuthStats::throttleTracked);
    auth(Kind.COUNTER, "ferrymq.takeovers.refused", "CONNECTs refused because their client id "
        + "belongs to another identity's session (0x85 / return code 2)",
        AuthStats::takeoversRefused);
    for (AuthRefusal reason : AuthRefusal.values()) {
      security("ferrymq.auth.refusals.by.reason", "Logins refused, by reason (bad credentials, "
          + "not authorized, throttled, server unavailable or busy...)",
          sec -> sec.authRefusals().getOrDefault(reason, 0L), new Tag("reason", reason.label()));
    }
    for (AclDirection direction : AclDirection.values()) {
      security("ferrymq.acl.denials", "Topic ACL denials, by direction (publish, subscribe, "
          + "deliver, will)", sec -> sec.aclDenials().getOrDefault(direction, 0L),
          new Tag("direction", direction.label()));
    }
    security("ferrymq.wills.refused", "CONNECTs refused for their Will (topic starting with $, "
        + "topic limits, ACL, QoS, retain)", SecurityStats::willsRefused);
    security("ferrymq.wills.dropped", "Wills not published when due because the client was no "
        + "longer allowed to publish them", SecurityStats::willsDropped);
    counters.feed(registry.counter(Metadata.builder()
        .withName("ferrymq.websocket.origins.refused")
        .withDescription("WebSocket upgrades refused with 403 for the page's origin "
            + "(mqtt.websocket.allowed-origins), on the listeners and on Liberty's port")
        .withUnit(MetricUnits.NONE).build()), () -> org.ferrymq.ra.SecurityRuntime.current()
            .map(security -> security.origins().refusals()).orElse(0L));
  }

  /** A gauge reads its value at each scrape; a counter is advanced by the bridge. */
  private enum Kind { GAUGE, COUNTER }

  private void flow(Kind kind, String name, String description, String unit,
      ToLongFunction<FlowStats> value) {
    metric(kind, name, description, unit, FLOW, value);
  }

  private void auth(Kind kind, String name, String description,
      ToLongFunction<AuthStats> value) {
    metric(kind, name, description, MetricUnits.NONE, AUTH, value);
  }

  private void security(String name, String description, ToLongFunction<SecurityStats> value,
      Tag... tags) {
    metric(Kind.COUNTER, name, description, MetricUnits.NONE, SECURITY, value,
        tags);
  }

  private void gauge(String name, String description, String unit,
      ToLongFunction<BrokerStats> value) {
    metric(Kind.GAUGE, name, description, unit, STATS, value);
  }

  private void counter(String name, String description, String unit,
      ToLongFunction<BrokerStats> value) {
    metric(Kind.COUNTER, name, description, unit, STATS, value);
  }

  /**
   * One value of a broker snapshot, 0 while no broker runs. A gauge takes its snapshot when
   * scraped; counters share one snapshot per sync of the bridge.
   */
  private <T> void metric(Kind kind, String name, String description, String unit,
      Function<Running, T> snapshot, ToLongFunction<T> value, Tag... tags) {
    Metadata metadata = Metadata.builder().withName(name).withDescription(description)
        .withUnit(unit).build();
    if (kind == Kind.GAUGE) {
      registry.gauge(metadata, () -> BrokerRuntime.current()
          .map(running -> value.applyAsLong(snapshot.apply(running))).orElse(0L), tags);
    } else {
      Supplier<Optional<?>> taken = snapshotsPerSync.computeIfAbsent(snapshot,
          which -> counters.oncePerSync(() -> BrokerRuntime.current()
              .map(which)));
      @SuppressWarnings("unchecked")
      Supplier<Optional<T>> typed = (Supplier<Optional<T>>) (Supplier<?>) taken;
      counters.feed(registry.counter(metadata, tags),
          () -> typed.get().map(value::applyAsLong).orElse(0L));
    }
  }
}
