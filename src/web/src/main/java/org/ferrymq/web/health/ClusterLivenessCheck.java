package org.ferrymq.web.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.ferrymq.cluster.ClusterStatus;
import org.ferrymq.ra.BrokerRuntime;

/**
 * Live unless this server's cluster member was cut off by a network split and merged back
 * (docs/cluster.md, "Split brain"): Hazelcast gives such a member a new identity, so the node
 * must restart to be a member FerryMQ's peers know; failing liveness has an orchestrator do it.
 * With clustering off, or before the broker runs, it is up and says so.
 */
@Liveness
@ApplicationScoped
public class ClusterLivenessCheck implements HealthCheck {

  @Override
  public HealthCheckResponse call() {
    return BrokerRuntime.current().flatMap(BrokerRuntime.Running::cluster)
        .map(status -> HealthCheckResponse.named("ferrymq-cluster")
            .withData("mergedAfterSplit", status.mergedAfterSplit())
            .status(live(status)).build())
        .orElseGet(() -> HealthCheckResponse.named("ferrymq-cluster")
            .withData("clustered", false).up().build());
  }

  static boolean live(ClusterStatus status) {
    return !status.mergedAfterSplit();
  }
}
