package org.ferrymq.web.admin;

import jakarta.ws.rs.ServiceUnavailableException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.ra.BrokerRuntime;

/** The broker the resource adapter runs, as the admin resources reach it. */
final class RunningBroker {
  /** How long a call waits for a session's lane to answer. */
  private static final long LANE_ANSWER_SECONDS = 5;

  private RunningBroker() {
  }

  /** @throws ServiceUnavailableException (503) when the broker is not running */
  static MqttBroker get() {
    return BrokerRuntime.current().map(BrokerRuntime.Running::broker)
        .orElseThrow(() -> new ServiceUnavailableException("The broker is not running"));
  }

  /**
   * Waits for an answer a session's lane computes.
   *
   * @throws ServiceUnavailableException (503) when the lane does not answer in time
   */
  static <T> T await(CompletableFuture<T> answer) {
    try {
      return answer.get(LANE_ANSWER_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new ServiceUnavailableException("The broker did not answer within "
          + LANE_ANSWER_SECONDS + " s");
    } catch (ExecutionException e) {
      throw new IllegalStateException("The broker failed the request: " + e.getCause(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServiceUnavailableException("Interrupted while waiting for the broker");
    }
  }
}
