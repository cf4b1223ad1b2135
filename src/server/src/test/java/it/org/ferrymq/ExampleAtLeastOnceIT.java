package it.org.ferrymq;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * The example message-driven bean (QoS 1) is a persistent session of the broker: what a TCP
 * client publishes while the example application is stopped (through Liberty's application
 * MBean) reaches the bean once it starts again, and a bean slower than its publisher slows the
 * publisher down (PUBACK held back) instead of losing acknowledged messages.
 */
class ExampleAtLeastOnceIT extends ServerIT {

  private static final String EXAMPLE = "ferrymq-example";
  /** More than mqtt.queue.max-messages (1000), so the bean's queue reaches its bound. */
  private static final int SLOW_MESSAGES = 1_500;

  @Test
  void messagesPublishedWhileTheApplicationIsStoppedArriveAfterItStarts() throws Exception {
    String marker = "while-stopped-" + UUID.randomUUID();
    try (JMXConnector jmx = localJmx()) {
      MBeanServerConnection server = jmx.getMBeanServerConnection();
      LocalJmx.stopApplication(server, EXAMPLE);
      try {
        // Exercise
        MqttClient tcp = Clients.connect("tcp://localhost:" + MQTT_PORT, null);
        try {
          tcp.publish("example/it/stopped", bytes(marker + "-1"), 1, false);
          tcp.publish("example/it/stopped", bytes(marker + "-2"), 2, false);
        } finally {
          Clients.close(tcp);
        }
      } finally {
        LocalJmx.startApplication(server, EXAMPLE);
      }
    }

    // Verify: in their order, once each
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> get("/example/messages").body().contains(marker + "-2"));
    String listed = get("/example/messages").body();
    assertTrue(listed.indexOf(marker + "-1") < listed.indexOf(marker + "-2"), listed);
    assertEquals(listed.indexOf(marker + "-1"), listed.lastIndexOf(marker + "-1"), listed);
  }

  @Test
  void aSlowBeanHoldsItsPublisherBackAndGetsEveryAcknowledgedMessage() throws Exception {
    long before = count();
    long droppedBefore = gauge("ferrymq_messages_dropped_total");
    AtomicInteger acknowledged = new AtomicInteger();
    AtomicBoolean throttled = new AtomicBoolean();
    MqttAsyncClient publisher = new MqttAsyncClient("tcp://localhost:" + MQTT_PORT,
        "it-slow-" + UUID.randomUUID(), new MemoryPersistence());
    publisher.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
        acknowledged.incrementAndGet();
      }
    });
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMaxInflight(SLOW_MESSAGES);
    publisher.connect(options).waitForCompletion(10_000);
    try {
      // Exercise: every message in flight at once; the bean takes 10 ms over each
      for (int i = 0; i < SLOW_MESSAGES; i++) {
        publisher.publish("example/it/slow", bytes("slow:" + i), 1, false);
      }

      // Verify: the broker held PUBACKs back while the bean's queue was full
      // A /metrics request that times out on the busy machine is only a missed sample
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
          .ignoreExceptions().until(() -> {
            if (gauge("ferrymq_publishers_throttled") > 0) {
              throttled.set(true);
            }
            return acknowledged.get() == SLOW_MESSAGES;
          });
    } finally {
      Clients.closeQuietly(publisher);
    }
    assertTrue(throttled.get(), "the publisher was never throttled");
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> count() == before + SLOW_MESSAGES);
    assertEquals(droppedBefore, gauge("ferrymq_messages_dropped_total"), "messages dropped");
  }

  private static long count() throws Exception {
    return Long.parseLong(get("/example/messages/count").body().trim());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
