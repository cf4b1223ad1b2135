package org.ferrymq.clients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.ferrymq.api.MqttMessage;
import org.ferrymq.api.UserProperty;
import org.ferrymq.engine.LocalSubscription;
import org.ferrymq.packet.QoS;
import org.ferrymq.ra.ApiMessages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The MQTT 5 properties of the application API ({@link MqttMessage}) travel both ways between
 * an application on the broker's server and a network client, over a real socket with Paho v5:
 * an in-process publish reaches an MQTT 5 subscriber with them, and an MQTT 5 publisher's reach
 * the application the way a message-driven bean receives them ({@link ApiMessages}, which the
 * connection factory and the bean's delivery use). The broker forwards them unaltered
 * ([MQTT-3.3.2-15] Response Topic, [MQTT-3.3.2-16] Correlation Data, [MQTT-3.3.2-17] and
 * [MQTT-3.3.2-18] User Properties in order, [MQTT-3.3.2-20] Content Type) and the expiry interval
 * less the time waited ([MQTT-3.3.2-6]).
 */
class ApplicationMessagePropertiesClientTest {

  @RegisterExtension
  final OpenClients clients = new OpenClients();

  private RunningBroker sut;

  @BeforeEach
  void start() throws Exception {
    sut = RunningBroker.startTcp();
  }

  @AfterEach
  void stop() {
    sut.stop();
  }

  @Test
  @DisplayName("An in-process publish reaches an MQTT 5 subscriber with its properties "
      + "[MQTT-3.3.2-6] [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17] [MQTT-3.3.2-18] "
      + "[MQTT-3.3.2-20]")
  void inProcessPublishToNetworkSubscriber() throws Exception {
    Inbox<org.eclipse.paho.mqttv5.common.MqttMessage> inbox = new Inbox<>();
    MqttClient subscriber = pahoV5("props-sub");
    subscriber.setCallback(new PahoV5Arrivals((topic, m) -> inbox.add(m)));
    subscriber.subscribe("app/out", 1);

    // Exercise
    sut.broker().publish(ApiMessages.toBroker(MqttMessage.builder("app/out")
        .payload(bytes("hello")).qos(1).userProperty("k", "2").userProperty("k", "1")
        .userProperty("a", "z").contentType("text/plain").responseTopic("app/replies")
        .correlationData(bytes("req-7")).messageExpiryInterval(600).build(),
        System.currentTimeMillis()));

    // Verify
    org.eclipse.paho.mqttv5.common.MqttMessage received = inbox.awaitCount(1).get(0);
    MqttProperties props = received.getProperties();
    assertEquals("hello", new String(received.getPayload(), StandardCharsets.UTF_8));
    assertEquals(List.of("k=2", "k=1", "a=z"), props.getUserProperties().stream()
        .map(p -> p.getKey() + "=" + p.getValue()).toList(), "[MQTT-3.3.2-17] [MQTT-3.3.2-18]");
    assertEquals("text/plain", props.getContentType(), "[MQTT-3.3.2-20]");
    assertEquals("app/replies", props.getResponseTopic(), "[MQTT-3.3.2-15]");
    assertArrayEquals(bytes("req-7"), props.getCorrelationData(), "[MQTT-3.3.2-16]");
    long expiry = props.getMessageExpiryInterval();
    assertTrue(expiry > 590 && expiry <= 600, "[MQTT-3.3.2-6] " + expiry);
  }

  @Test
  @DisplayName("An MQTT 5 publisher's properties reach the application's MqttMessage "
      + "[MQTT-3.3.2-6] [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17] [MQTT-3.3.2-18] "
      + "[MQTT-3.3.2-20]")
  void networkPublisherToApplication() throws Exception {
    Inbox<MqttMessage> inbox = new Inbox<>();
    LocalSubscription bean = sut.broker().subscribe("app/in/#", QoS.AT_LEAST_ONCE,
        m -> inbox.add(ApiMessages.toApi(m, QoS.min(m.qos(), QoS.AT_LEAST_ONCE),
            System.currentTimeMillis())));
    MqttClient publisher = pahoV5("props-pub");
    MqttProperties props = new MqttProperties();
    props.setUserProperties(List.of(
        new org.eclipse.paho.mqttv5.common.packet.UserProperty("trace", "t1"),
        new org.eclipse.paho.mqttv5.common.packet.UserProperty("trace", "t0")));
    props.setContentType("application/json");
    props.setResponseTopic("app/reply/9");
    props.setCorrelationData(bytes("corr"));
    props.setMessageExpiryInterval(120L);
    org.eclipse.paho.mqttv5.common.MqttMessage message =
        new org.eclipse.paho.mqttv5.common.MqttMessage(bytes("{}"), 2, false, props);

    try {
      // Exercise
      publisher.publish("app/in/1", message);

      // Verify
      MqttMessage received = inbox.awaitCount(1).get(0);
      assertEquals("app/in/1", received.topic());
      assertEquals(1, received.qos(), "the bean's QoS 1 caps the publisher's 2");
      assertArrayEquals(bytes("{}"), received.payload());
      assertEquals(List.of(new UserProperty("trace", "t1"), new UserProperty("trace", "t0")),
          received.userProperties(), "[MQTT-3.3.2-17] [MQTT-3.3.2-18]");
      assertEquals("application/json", received.contentType().orElseThrow(), "[MQTT-3.3.2-20]");
      assertEquals("app/reply/9", received.responseTopic().orElseThrow(), "[MQTT-3.3.2-15]");
      assertArrayEquals(bytes("corr"), received.correlationData().orElseThrow(),
          "[MQTT-3.3.2-16]");
      long expiry = received.messageExpiryInterval().orElseThrow();
      assertTrue(expiry > 110 && expiry <= 120, "[MQTT-3.3.2-6] " + expiry);
    } finally {
      bean.close();
    }
  }

  @Test
  @DisplayName("A message without properties arrives without any, both ways")
  void noPropertiesStayNone() throws Exception {
    Inbox<MqttMessage> app = new Inbox<>();
    LocalSubscription bean = sut.broker().subscribe("plain/#", QoS.AT_MOST_ONCE,
        m -> app.add(ApiMessages.toApi(m, QoS.AT_MOST_ONCE, System.currentTimeMillis())));
    try {
      // Exercise
      sut.broker().publish(ApiMessages.toBroker(MqttMessage.builder("plain/x")
          .payload(bytes("p")).build(), System.currentTimeMillis()));

      // Verify
      MqttMessage received = app.awaitCount(1).get(0);
      assertTrue(received.userProperties().isEmpty());
      assertTrue(received.contentType().isEmpty());
      assertTrue(received.responseTopic().isEmpty());
      assertTrue(received.correlationData().isEmpty());
      assertTrue(received.messageExpiryInterval().isEmpty());
    } finally {
      bean.close();
    }
  }

  private MqttClient pahoV5(String id) throws Exception {
    MqttClient client = new MqttClient(sut.uri(), id, new MemoryPersistence());
    clients.add(client::close);
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setConnectionTimeout(5);
    client.connect(options);
    return client;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
