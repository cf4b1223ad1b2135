package it.org.ferrymq;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;

/** The example message-driven bean receives, without a network hop, what a TCP client publishes. */
class ExampleMessageBeanIT extends ServerIT {

  @Test
  void beanReceivesMessagePublishedOverTcp() throws Exception {
    String marker = "mdb-" + UUID.randomUUID();
    MqttClient tcp = Clients.connect("tcp://localhost:" + MQTT_PORT, null);
    try {
      // Exercise
      tcp.publish("example/it", marker.getBytes(StandardCharsets.UTF_8), 1, false);
    } finally {
      Clients.close(tcp);
    }

    // Verify
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .until(() -> get("/example/messages").body().contains(marker));
  }
}
