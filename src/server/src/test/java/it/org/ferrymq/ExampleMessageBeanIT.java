package it.org.ferrymq;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.Test;

/**
 * The example message-driven bean receives, without a network hop, what a TCP client publishes;
 * a message it rejects (it throws) is delivered again as often as its activation spec says
 * (maxRedeliveries 2) and then lands on the dead-letter topic, where a TCP client reads it.
 */
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

  /** The same over Liberty's WebSocket endpoint, as a browser or a device behind a proxy does. */
  @Test
  void beanReceivesMessagePublishedOverWebSocket() throws Exception {
    String marker = "mdb-ws-" + UUID.randomUUID();
    MqttClient ws = Clients.connect("ws://localhost:" + HTTP_PORT + "/mqtt", null);
    try {
      ws.publish("example/it", marker.getBytes(StandardCharsets.UTF_8), 1, false);
    } finally {
      Clients.close(ws);
    }

    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .until(() -> get("/example/messages").body().contains(marker));
  }

  @Test
  void aRejectedMessageIsRedeliveredThenDeadLettered() throws Exception {
    String marker = "reject:" + UUID.randomUUID();
    MqttClient tcp = Clients.connect("tcp://localhost:" + MQTT_PORT, null);
    try {
      BlockingQueue<MqttMessage> deadLetters = Clients.subscribe(tcp, "$dlq/#", 1);

      // Exercise
      tcp.publish("example/it/rejected", marker.getBytes(StandardCharsets.UTF_8), 1, false);

      // Verify
      MqttMessage dead = deadLetters.poll(20, TimeUnit.SECONDS);
      assertNotNull(dead, "no dead letter");
      assertEquals(marker, new String(dead.getPayload(), StandardCharsets.UTF_8));
      String listed = get("/example/messages").body();
      assertEquals(3, listed.split(Pattern.quote(marker), -1).length - 1,
          "one delivery and two redeliveries: " + listed);
    } finally {
      Clients.close(tcp);
    }
  }
}
