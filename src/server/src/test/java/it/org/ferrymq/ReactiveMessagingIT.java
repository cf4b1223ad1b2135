package it.org.ferrymq;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;

/**
 * The example's MicroProfile Reactive Messaging beans on the connector {@code ferrymq}: what an
 * MQTT 5 client publishes over TCP reaches the {@code @Incoming("sensors")} bean with its user
 * properties and correlation data, and what the {@code Emitter} of the channel {@code orders}
 * sends reaches an MQTT 5 subscriber over TCP with its own.
 */
class ReactiveMessagingIT extends ServerIT {

  private static MqttClient connect() throws Exception {
    return connect("tcp://localhost:" + MQTT_PORT);
  }

  private static MqttClient connect(String uri) throws Exception {
    MqttClient client = new MqttClient(uri, "it-rm-" + UUID.randomUUID(),
        new MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    options.setConnectionTimeout(10);
    client.connect(options);
    return client;
  }

  private static void close(MqttClient client) throws Exception {
    if (client.isConnected()) {
      client.disconnect(5_000);
    }
    client.close();
  }

  @Test
  void aMessagePublishedOverTcpReachesTheIncomingBeanWithItsProperties() throws Exception {
    publishReachesTheIncomingBean("tcp://localhost:" + MQTT_PORT);
  }

  /** Over Liberty's WebSocket endpoint, the path of browsers and proxied devices. */
  @Test
  void aMessagePublishedOverWebSocketReachesTheIncomingBeanWithItsProperties() throws Exception {
    publishReachesTheIncomingBean("ws://localhost:" + HTTP_PORT + "/mqtt");
  }

  private void publishReachesTheIncomingBean(String uri) throws Exception {
    String marker = "21.5-" + UUID.randomUUID();
    String correlation = "request-" + UUID.randomUUID();
    MqttClient tcp = connect(uri);
    try {
      MqttMessage message = new MqttMessage(marker.getBytes(StandardCharsets.UTF_8));
      message.setQos(1);
      MqttProperties properties = new MqttProperties();
      properties.setUserProperties(List.of(new UserProperty("unit", "celsius")));
      properties.setCorrelationData(correlation.getBytes(StandardCharsets.UTF_8));
      message.setProperties(properties);

      // Exercise
      tcp.publish("sensors/kitchen/temp", message);
    } finally {
      close(tcp);
    }

    // Verify
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> get("/example/readings").body().contains(marker));
    String readings = get("/example/readings").body();
    String reading = readings.substring(readings.lastIndexOf("{\"topic\"",
        readings.indexOf(marker)));
    assertTrue(reading.startsWith("{\"topic\":\"sensors/kitchen/temp\""), reading);
    assertTrue(reading.contains("\"userProperties\":{\"unit\":\"celsius\"}"), reading);
    assertTrue(reading.contains("\"correlationData\":\"" + correlation + "\""), reading);
  }

  @Test
  void aMessageFromTheEmitterReachesATcpSubscriberWithItsProperties() throws Exception {
    String order = "order-" + UUID.randomUUID();
    String correlation = "request-" + UUID.randomUUID();
    MqttClient tcp = connect();
    try {
      BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
      tcp.subscribe(new MqttSubscription[] {new MqttSubscription("orders/created", 1)},
          new IMqttMessageListener[] {(topic, m) -> received.add(m)});

      // Exercise
      HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://localhost:" + HTTP_PORT + "/example/orders?id=" + order
              + "&correlation=" + correlation))
          .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());

      // Verify
      assertEquals(202, posted.statusCode(), posted.body());
      MqttMessage event = received.poll(20, TimeUnit.SECONDS);
      assertNotNull(event, "no event on orders/created");
      assertEquals(order, new String(event.getPayload(), StandardCharsets.UTF_8));
      assertEquals(1, event.getQos());
      assertEquals(List.of(new UserProperty("source", "ferrymq-example")),
          event.getProperties().getUserProperties());
      assertEquals(correlation,
          new String(event.getProperties().getCorrelationData(), StandardCharsets.UTF_8));
      assertEquals("text/plain", event.getProperties().getContentType());
    } finally {
      close(tcp);
    }
  }
}
