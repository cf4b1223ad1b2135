package it.org.ferrymq;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import org.junit.jupiter.api.Test;

/** Health endpoints report real state; readiness follows the listeners. */
class HealthIT extends ServerIT {

  @Test
  void startedLiveAndReadyAreUpWithData() throws Exception {
    HttpResponse<String> started = get("/health/started");
    HttpResponse<String> live = get("/health/live");
    HttpResponse<String> ready = get("/health/ready");

    assertEquals(200, started.statusCode(), started.body());
    assertTrue(started.body().contains("\"ferrymq-started\""), started.body());
    assertEquals(200, live.statusCode(), live.body());
    assertTrue(live.body().contains("\"longestStallMillis\""), live.body());
    assertTrue(live.body().contains("\"ferrymq-cluster\""), live.body());
    assertTrue(live.body().contains("\"clustered\":false"), live.body());
    assertEquals(200, ready.statusCode(), ready.body());
    assertTrue(ready.body().contains("\"mqtt.port\":" + MQTT_PORT), ready.body());
    assertTrue(ready.body().contains("\"mqtts.port\":" + MQTTS_PORT), ready.body());
    assertTrue(ready.body().contains("\"mqtt-ws.port\":" + WS_PORT), ready.body());
    assertTrue(ready.body().contains("\"mqtt-wss.port\":" + WSS_PORT), ready.body());
    assertTrue(ready.body().contains("\"mqtt-wss.accepting\":true"), ready.body());
    assertTrue(ready.body().contains("\"connections\""), ready.body());
    assertTrue(ready.body().contains("\"sessions\""), ready.body());
    assertTrue(ready.body().contains("\"store.healthy\":true"), ready.body());
    assertTrue(ready.body().contains("\"store.failures\":0"), ready.body());
    assertTrue(ready.body().contains("\"publishes.held\":0"), ready.body());
    assertTrue(!ready.body().contains("store.fault"), "no fault while the store works: "
        + ready.body());
  }

  @Test
  void readinessIsDownWhileTheTlsListenerIsStopped() throws Exception {
    try (JMXConnector jmx = localJmx()) {
      MBeanServerConnection server = jmx.getMBeanServerConnection();
      ObjectName mqtts = new ObjectName("org.ferrymq:type=Listener,name=mqtts");
      try {
        // Exercise
        server.invoke(mqtts, "stop", null, null);

        // Verify
        HttpResponse<String> down = get("/health/ready");
        assertEquals(503, down.statusCode(), down.body());
        assertTrue(down.body().contains("\"mqtts.accepting\":false"), down.body());
      } finally {
        server.invoke(mqtts, "start", null, null);
      }
      await().atMost(Duration.ofSeconds(20))
          .until(() -> get("/health/ready").statusCode() == 200);
    }
  }

  @Test
  void metricsArePrometheusText() throws Exception {
    HttpResponse<String> metrics = get("/metrics?scope=application");

    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("ferrymq_clients_connected"), metrics.body());
    assertTrue(metrics.body().contains("# TYPE ferrymq_messages_received_total counter"),
        metrics.body());
    // store faults (docs/persistence.md, "Faults"): available, no episode, nothing held
    assertTrue(gaugeIs(metrics.body(), "ferrymq_store_available", 1), metrics.body());
    assertTrue(gaugeIs(metrics.body(), "ferrymq_store_failures_total", 0), metrics.body());
    assertTrue(metrics.body().contains("ferrymq_publishes_held"), metrics.body());
  }

  /** @return whether the Prometheus text has a sample of the gauge (any tags) at that value */
  private static boolean gaugeIs(String text, String name, int value) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) == value;
      }
    }
    return false;
  }
}
