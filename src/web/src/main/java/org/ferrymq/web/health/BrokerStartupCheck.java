package org.ferrymq.web.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;
import org.ferrymq.ra.BrokerRuntime;

/** Started once the resource adapter has started the broker. */
@Startup
@ApplicationScoped
public class BrokerStartupCheck implements HealthCheck {

  @Override
  public HealthCheckResponse call() {
    boolean started = BrokerRuntime.current().map(r -> r.broker().isRunning()).orElse(false);
    return HealthCheckResponse.named("ferrymq-started")
        .withData("uptimeSeconds",
            BrokerRuntime.current().map(r -> r.broker().stats().uptimeSeconds()).orElse(0L))
        .status(started)
        .build();
  }
}
