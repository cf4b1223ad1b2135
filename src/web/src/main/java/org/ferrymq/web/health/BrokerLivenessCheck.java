package org.ferrymq.web.health;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.ferrymq.ra.BrokerRuntime;

/** Live while no session lane has had work waiting without progress for too long. */
@Liveness
@ApplicationScoped
public class BrokerLivenessCheck implements HealthCheck {

  static final Duration STALL_LIMIT = Duration.ofSeconds(30);

  @Override
  public HealthCheckResponse call() {
    return BrokerRuntime.current()
        .map(running -> {
          Duration stall = running.broker().longestLaneStall();
          return HealthCheckResponse.named("ferrymq-lanes")
              .withData("longestStallMillis", stall.toMillis())
              .withData("stallLimitMillis", STALL_LIMIT.toMillis())
              .withData("lanes", running.broker().config().lanes())
              .status(stall.compareTo(STALL_LIMIT) < 0)
              .build();
        })
        .orElseGet(() -> HealthCheckResponse.named("ferrymq-lanes")
            .withData("reason", "broker not running").down().build());
  }
}
