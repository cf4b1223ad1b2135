package org.ferrymq.web.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.ferrymq.cluster.ClusterStatus;
import org.ferrymq.engine.BrokerStats;
import org.ferrymq.engine.FlowStats;
import org.ferrymq.ra.BrokerRuntime;
import org.ferrymq.ra.ListenerControl;

/**
 * Ready while every MQTT listener accepts connections, the store is open and writable (while it
 * is failed, {@code store.fault} names the store and the cause), the
 * broker is not overloaded (it refuses new connections then, so a load balancer should send them
 * elsewhere) and, with clustering on, its cluster member runs ({@link ClusterReadiness}, which
 * adds the membership to the data).
 */
@Readiness
@ApplicationScoped
public class BrokerReadinessCheck implements HealthCheck {

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named("ferrymq-broker");
    BrokerRuntime.Running running = BrokerRuntime.current().orElse(null);
    if (running == null) {
      return response.withData("reason", "broker not running").down().build();
    }
    boolean up = running.broker().isRunning();
    for (ListenerControl listener : running.listeners()) {
      boolean accepting = listener.isAccepting();
      up &= accepting;
      response.withData(listener.getName() + ".port", listener.getPort())
          .withData(listener.getName() + ".accepting", accepting);
    }
    boolean storeHealthy = running.broker().persistence().isHealthy();
    up &= storeHealthy;
    String storeFault = running.broker().persistence().fault();
    if (storeFault != null) {
      // QoS 1/2 publishes are held until the store is back: send new clients elsewhere
      response.withData("store.fault", storeFault);
    }
    FlowStats flow = running.broker().flowStats();
    up &= !flow.overloaded();
    BrokerStats stats = running.broker().stats();
    if (running.clustered()) {
      ClusterStatus cluster = running.cluster().orElseThrow();
      up &= ClusterReadiness.ready(cluster);
      ClusterReadiness.data(cluster).forEach((key, value) -> {
        if (value instanceof Number n) {
          response.withData(key, n.longValue());
        } else if (value instanceof Boolean b) {
          response.withData(key, b);
        } else {
          response.withData(key, String.valueOf(value));
        }
      });
    }
    return response
        .withData("overloaded", flow.overloaded())
        .withData("heap.after-gc.percent", Math.round(flow.heapUse() * 100))
        .withData("connections.paused", flow.connectionsPaused())
        .withData("publishers.throttled", flow.publishersThrottled())
        .withData("store", running.broker().persistence().describe())
        .withData("persistence.mode", running.persistence().mode())
        .withData("persistence.backend", running.persistence().backend())
        .withData("persistence.location", running.persistence().location())
        .withData("store.healthy", storeHealthy)
        .withData("store.failures", flow.storeFailures())
        .withData("publishes.held", flow.publishesHeld())
        .withData("connections", stats.connectionsOpen())
        .withData("clients.connected", stats.clientsConnected())
        .withData("sessions", stats.clientsTotal())
        .status(up)
        .build();
  }
}
