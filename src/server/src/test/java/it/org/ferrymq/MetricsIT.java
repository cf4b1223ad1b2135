package it.org.ferrymq;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * The metrics an operator graphs: the Grafana dashboard shipped in docs/grafana queries only
 * metric names the running server exposes, and what counts events is a Prometheus counter that
 * moves when the events happen.
 */
class MetricsIT extends ServerIT {

  @Test
  void everyMetricTheGrafanaDashboardQueriesIsExposed() throws Exception {
    Set<String> queried = GrafanaDashboard.queried();
    assertTrue(queried.size() > 20, "the dashboard queries the broker's metrics: " + queried);
    // this server is a single node: ClusterIT checks the cluster's metrics on clustered ones
    queried.removeIf(name -> name.startsWith(GrafanaDashboard.CLUSTER_PREFIX));

    Set<String> exposed = GrafanaDashboard.exposed(get("/metrics").body());
    assertTrue(exposed.stream().noneMatch(n -> n.startsWith(GrafanaDashboard.CLUSTER_PREFIX)),
        "no cluster metric on a single node: " + exposed);
    Set<String> missing = new TreeSet<>(queried);
    missing.removeAll(exposed);

    assertTrue(missing.isEmpty(), "queried by docs/grafana/ferrymq-dashboard.json but not in "
        + "/metrics: " + missing + "; exposed: " + exposed);
  }

  @Test
  void eventCountsAreCountersThatFollowTheEvents() throws Exception {
    String body = get("/metrics").body();
    for (String counter : new String[] {"ferrymq_messages_received_total",
        "ferrymq_messages_sent_total", "ferrymq_connections_total",
        "ferrymq_acl_denials_total", "ferrymq_auth_refusals_by_reason_total"}) {
      assertTrue(body.contains("# TYPE " + counter + " counter"), counter + " is a counter");
    }
    assertTrue(body.contains("# TYPE ferrymq_clients_connected gauge"), "levels stay gauges");
    assertFalse(body.contains("# TYPE ferrymq_messages_received gauge"), "no gauge any more");

    long before = gauge("ferrymq_messages_received_total");
    MqttClient publisher = new MqttClient("tcp://localhost:" + MQTT_PORT,
        "it-metrics-" + UUID.randomUUID(), new MemoryPersistence());
    publisher.connect();
    try {
      for (int i = 0; i < 5; i++) {
        publisher.publish("it/metrics", new byte[] {(byte) i}, 1, false);
      }
    } finally {
      Clients.close(publisher);
    }

    // the counters follow the broker's counts within a second
    await().atMost(Duration.ofSeconds(10))
        .until(() -> gauge("ferrymq_messages_received_total") >= before + 5);
  }

  @Test
  void deliveriesFeedTheLatencyHistogramAndTheCountsByQosAndListener() throws Exception {
    long delivered = gauge("ferrymq_delivery_latency_count_total");
    long qos1 = gauge("ferrymq_messages_received_by_qos_total{", "qos=\"1\"");
    String topic = "it/metrics/latency/" + UUID.randomUUID();
    java.util.concurrent.CountDownLatch got = new java.util.concurrent.CountDownLatch(5);
    MqttClient subscriber = new MqttClient("tcp://localhost:" + MQTT_PORT,
        "it-metrics-sub-" + UUID.randomUUID(), new MemoryPersistence());
    MqttClient publisher = new MqttClient("tcp://localhost:" + MQTT_PORT,
        "it-metrics-pub-" + UUID.randomUUID(), new MemoryPersistence());
    subscriber.connect();
    publisher.connect();
    try {
      subscriber.subscribe(topic, 1, (t, m) -> got.countDown());
      assertTrue(gauge("ferrymq_connections_open_by_listener{", "listener=\"tcp\"") >= 2,
          "both clients counted on the tcp listener");

      for (int i = 0; i < 5; i++) {
        publisher.publish(topic, new byte[] {(byte) i}, 1, false);
      }

      assertTrue(got.await(10, java.util.concurrent.TimeUnit.SECONDS), "delivered");
      await().atMost(Duration.ofSeconds(10)).until(
          () -> gauge("ferrymq_delivery_latency_count_total") >= delivered + 5
              && gauge("ferrymq_messages_received_by_qos_total{", "qos=\"1\"") >= qos1 + 5);
      // cumulative buckets: +Inf holds every delivery counted
      assertTrue(gauge("ferrymq_delivery_latency_bucket_total{", "le=\"+Inf\"")
          >= gauge("ferrymq_delivery_latency_bucket_total{", "le=\"0.001\""));
    } finally {
      Clients.close(publisher);
      Clients.close(subscriber);
    }
  }
}
