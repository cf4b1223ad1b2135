package org.ferrymq.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HiveMQ MQTT client, speaking MQTT 5 and MQTT 3.1.1, against the engine behind the Netty
 * TCP listener.
 */
class HiveMqClientTest {

  /** One message as the HiveMQ client delivered it. */
  record Received(String topic, String payload, int qos, boolean retained, String contentType,
      List<String> userProperties) {

    static Received of(Mqtt5Publish p) {
      List<String> user = new ArrayList<>();
      p.getUserProperties().asList().forEach(u -> user.add(u.getName() + "=" + u.getValue()));
      return new Received(p.getTopic().toString(), utf8(p.getPayloadAsBytes()),
          p.getQos().getCode(), p.isRetain(),
          p.getContentType().map(Object::toString).orElse(null), user);
    }

    static Received of(Mqtt3Publish p) {
      return plain(p.getTopic().toString(), utf8(p.getPayloadAsBytes()), p.getQos().getCode(),
          p.isRetain());
    }

    static Received plain(String topic, String payload, int qos, boolean retained) {
      return new Received(topic, payload, qos, retained, null, List.of());
    }
  }

  @RegisterExtension
  static final RunningBroker sut = RunningBroker.tcp();

  @RegisterExtension
  final OpenClients clients = new OpenClients();

  @Test
  void mqtt5PublishesAndDeliversAtEachQos() {
    Inbox<Received> inbox = new Inbox<>();
    Mqtt5BlockingClient subscriber = v5("hive5-sub-qos", inbox);
    subscriber.connect();
    Mqtt5BlockingClient publisher = v5("hive5-pub-qos", new Inbox<>());
    publisher.connect();
    for (int qos = 0; qos <= 2; qos++) {
      assertEquals(List.of(Mqtt5SubAckReasonCode.values()[qos]), subscriber.subscribeWith()
          .topicFilter("hive5/qos/" + qos).qos(MqttQos.fromCode(qos)).send().getReasonCodes());
    }

    // Exercise
    for (int qos = 0; qos <= 2; qos++) {
      for (int i = 0; i < 3; i++) {
        publisher.publishWith().topic("hive5/qos/" + qos).qos(MqttQos.fromCode(qos))
            .payload(bytes("q" + qos + "-" + i)).contentType("text/plain")
            .userProperties().add("n", Integer.toString(i)).applyUserProperties().send();
      }
    }

    // Verify
    assertThreeInOrderAtEachQos("hive5/qos/", inbox, (topic, qos, i) -> new Received(topic,
        "q" + qos + "-" + i, qos, false, "text/plain", List.of("n=" + i)));
    assertEquals(ProtocolVersion.MQTT_5,
        sut.tap().connectionsOf("hive5-sub-qos").get(0).connect().orElseThrow().version());
  }

  @Test
  void mqtt3PublishesAndDeliversAtEachQos() {
    Inbox<Received> inbox = new Inbox<>();
    Mqtt3BlockingClient subscriber = v3("hive3-sub-qos", inbox);
    subscriber.connect();
    Mqtt3BlockingClient publisher = v3("hive3-pub-qos", new Inbox<>());
    publisher.connect();
    for (int qos = 0; qos <= 2; qos++) {
      assertEquals(List.of(Mqtt3SubAckReturnCode.values()[qos]), subscriber.subscribeWith()
          .topicFilter("hive3/qos/" + qos).qos(MqttQos.fromCode(qos)).send().getReturnCodes());
    }

    // Exercise
    for (int qos = 0; qos <= 2; qos++) {
      for (int i = 0; i < 3; i++) {
        publisher.publishWith().topic("hive3/qos/" + qos).qos(MqttQos.fromCode(qos))
            .payload(bytes("q" + qos + "-" + i)).send();
      }
    }

    // Verify
    assertThreeInOrderAtEachQos("hive3/qos/", inbox,
        (topic, qos, i) -> Received.plain(topic, "q" + qos + "-" + i, qos, false));
    assertEquals(ProtocolVersion.MQTT_3_1_1,
        sut.tap().connectionsOf("hive3-sub-qos").get(0).connect().orElseThrow().version());
  }

  @Test
  void mqtt5StoresReplacesAndClearsRetainedMessages() {
    String topic = "hive5/retained";
    Mqtt5BlockingClient publisher = v5("hive5-pub-ret", new Inbox<>());
    publisher.connect();
    publisher.publishWith().topic(topic).payload(bytes("first")).retain(true)
        .qos(MqttQos.AT_LEAST_ONCE).send();
    publisher.publishWith().topic(topic).payload(bytes("second")).retain(true)
        .qos(MqttQos.EXACTLY_ONCE).contentType("text/plain").send();

    // Exercise: a late subscriber gets the latest retained message, flagged, with its properties
    Inbox<Received> late = new Inbox<>();
    Mqtt5BlockingClient lateSubscriber = v5("hive5-late-ret", late);
    lateSubscriber.connect();
    lateSubscriber.subscribeWith().topicFilter(topic).qos(MqttQos.EXACTLY_ONCE).send();
    assertEquals(List.of(new Received(topic, "second", 2, true, "text/plain", List.of())),
        late.awaitCount(1));

    // An empty retained payload clears the topic
    publisher.publishWith().topic(topic).retain(true).qos(MqttQos.AT_LEAST_ONCE).send();
    Inbox<Received> later = new Inbox<>();
    Mqtt5BlockingClient laterSubscriber = v5("hive5-later-ret", later);
    laterSubscriber.connect();
    laterSubscriber.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
    publisher.publishWith().topic(topic).payload(bytes("marker")).qos(MqttQos.AT_LEAST_ONCE)
        .send();

    // Verify
    assertEquals(List.of(Received.plain(topic, "marker", 1, false)),
        later.awaitMatching(r -> r.payload().equals("marker")));
  }

  @Test
  void mqtt3StoresAndClearsRetainedMessages() {
    String topic = "hive3/retained";
    Mqtt3BlockingClient publisher = v3("hive3-pub-ret", new Inbox<>());
    publisher.connect();
    publisher.publishWith().topic(topic).payload(bytes("kept")).retain(true)
        .qos(MqttQos.AT_LEAST_ONCE).send();
    Inbox<Received> late = new Inbox<>();
    Mqtt3BlockingClient lateSubscriber = v3("hive3-late-ret", late);
    lateSubscriber.connect();
    lateSubscriber.subscribeWith().topicFilter("hive3/+").qos(MqttQos.EXACTLY_ONCE).send();
    assertEquals(List.of(Received.plain(topic, "kept", 1, true)), late.awaitCount(1));

    // Exercise
    publisher.publishWith().topic(topic).retain(true).qos(MqttQos.AT_LEAST_ONCE).send();
    Inbox<Received> later = new Inbox<>();
    Mqtt3BlockingClient laterSubscriber = v3("hive3-later-ret", later);
    laterSubscriber.connect();
    laterSubscriber.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
    publisher.publishWith().topic(topic).payload(bytes("marker")).qos(MqttQos.AT_LEAST_ONCE)
        .send();

    // Verify
    assertEquals(List.of(Received.plain(topic, "marker", 1, false)),
        later.awaitMatching(r -> r.payload().equals("marker")));
  }

  @Test
  void mqtt5UsesTopicAliasesInBothDirections() {
    Inbox<Received> inbox = new Inbox<>();
    Mqtt5BlockingClient subscriber = v5("hive5-sub-alias", inbox);
    subscriber.connectWith().restrictions().topicAliasMaximum(8).applyRestrictions().send();
    subscriber.subscribeWith().topicFilter("hive5/alias/#").qos(MqttQos.AT_LEAST_ONCE).send();
    Mqtt5BlockingClient publisher = v5("hive5-pub-alias", new Inbox<>());
    Mqtt5ConnAck connAck = publisher.connect();
    assertTrue(connAck.getRestrictions().getTopicAliasMaximum() > 0,
        "the broker offers topic aliases in CONNACK");

    // Exercise
    for (int i = 0; i < 30; i++) {
      publisher.publishWith().topic("hive5/alias/sensor/" + (i % 3))
          .payload(bytes("reading-" + i)).qos(MqttQos.AT_LEAST_ONCE).send();
    }

    // Verify: the subscriber's application sees full topic names, in order
    List<Received> received = inbox.awaitCount(30);
    for (int i = 0; i < 30; i++) {
      assertEquals(Received.plain("hive5/alias/sensor/" + (i % 3), "reading-" + i, 1, false),
          received.get(i));
    }
    assertEquals(30, received.size());
    // and both hops really used aliases
    List<Publish> sent = sut.tap().connectionsOf("hive5-pub-alias").get(0).publishesFromClient();
    assertEquals(30, sent.size());
    assertTrue(sent.stream().anyMatch(p -> p.topic().isEmpty()
        && p.properties().has(Property.TOPIC_ALIAS)),
        () -> "HiveMQ sent alias-only PUBLISH packets: " + sent);
    List<Publish> delivered =
        sut.tap().connectionsOf("hive5-sub-alias").get(0).publishesToClient();
    assertEquals(30, delivered.size());
    assertTrue(delivered.stream().allMatch(p -> p.properties().has(Property.TOPIC_ALIAS)),
        () -> "the broker used aliases towards a client that allows them: " + delivered);
    assertEquals(27, delivered.stream().filter(p -> p.topic().isEmpty()).count(),
        () -> "after the first use of each topic only the alias is sent: " + delivered);
  }

  @Test
  void mqtt5ResumesASessionThatHasNotExpired() {
    String clientId = "hive5-persist";
    String topic = "hive5/persistent";
    Mqtt5BlockingClient durable = v5(clientId, new Inbox<>());
    durable.connectWith().cleanStart(true).sessionExpiryInterval(300).send();
    durable.subscribeWith().topicFilter(topic).qos(MqttQos.EXACTLY_ONCE).send();
    durable.disconnect();
    Inbox.waiting().until(() -> !sut.isConnected(clientId));
    Mqtt5BlockingClient publisher = v5("hive5-pub-persist", new Inbox<>());
    publisher.connect();
    List<String> interleaved = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      publisher.publishWith().topic(topic).payload(bytes("q1-" + i))
          .qos(MqttQos.AT_LEAST_ONCE).send();
      publisher.publishWith().topic(topic).payload(bytes("q2-" + i))
          .qos(MqttQos.EXACTLY_ONCE).send();
      interleaved.add("q1-" + i);
      interleaved.add("q2-" + i);
    }

    // Exercise
    Inbox<Received> inbox = new Inbox<>();
    Mqtt5BlockingClient resumed = v5(clientId, inbox);
    Mqtt5ConnAck connAck = resumed.connectWith().cleanStart(false).sessionExpiryInterval(300)
        .send();
    inbox.awaitCount(10);
    publisher.publishWith().topic(topic).payload(bytes("after-resume"))
        .qos(MqttQos.EXACTLY_ONCE).send();

    // Verify: HiveMQ hands every QoS to the application on arrival, so the order is global
    assertTrue(connAck.isSessionPresent());
    List<Received> all = inbox.awaitMatching(r -> r.payload().equals("after-resume"));
    List<String> expected = new ArrayList<>(interleaved);
    expected.add("after-resume");
    assertEquals(expected, all.stream().map(Received::payload).toList());
    assertEquals(expected.stream().map(p -> p.startsWith("q1") ? 1 : 2).toList(),
        all.stream().map(Received::qos).toList());
  }

  @Test
  void mqtt3ResumesAPersistentSession() {
    String clientId = "hive3-persist";
    String topic = "hive3/persistent";
    Mqtt3BlockingClient durable = v3(clientId, new Inbox<>());
    durable.connectWith().cleanSession(false).send();
    durable.subscribeWith().topicFilter(topic).qos(MqttQos.EXACTLY_ONCE).send();
    durable.disconnect();
    Inbox.waiting().until(() -> !sut.isConnected(clientId));
    Mqtt3BlockingClient publisher = v3("hive3-pub-persist", new Inbox<>());
    publisher.connect();
    for (int i = 0; i < 5; i++) {
      publisher.publishWith().topic(topic).payload(bytes("q2-" + i))
          .qos(MqttQos.EXACTLY_ONCE).send();
    }

    // Exercise
    Inbox<Received> inbox = new Inbox<>();
    Mqtt3BlockingClient resumed = v3(clientId, inbox);
    Mqtt3ConnAck connAck = resumed.connectWith().cleanSession(false).send();
    inbox.awaitCount(5);
    publisher.publishWith().topic(topic).payload(bytes("after-resume"))
        .qos(MqttQos.EXACTLY_ONCE).send();

    // Verify
    assertTrue(connAck.isSessionPresent());
    assertEquals(List.of("q2-0", "q2-1", "q2-2", "q2-3", "q2-4", "after-resume"),
        inbox.awaitMatching(r -> r.payload().equals("after-resume")).stream()
            .map(Received::payload).toList());
    assertTrue(inbox.snapshot().stream().allMatch(r -> r.qos() == 2));
  }

  @Test
  void mqtt5PublishesTheWillWhenTheBrokerDisconnectsTheClient() {
    String willTopic = "hive5/will/admin";
    Inbox<Received> watcher = new Inbox<>();
    Mqtt5BlockingClient watch = v5("hive5-watch-will", watcher);
    watch.connect();
    watch.subscribeWith().topicFilter(willTopic).qos(MqttQos.AT_LEAST_ONCE).send();
    AtomicReference<Throwable> cause = new AtomicReference<>();
    Mqtt5BlockingClient victim = Mqtt5Client.builder().identifier("hive5-victim")
        .serverHost(RunningBroker.HOST).serverPort(sut.port())
        .addDisconnectedListener(context -> cause.set(context.getCause())).buildBlocking();
    victim.connectWith().willPublish().topic(willTopic).payload(bytes("hive5 victim is gone"))
        .qos(MqttQos.AT_LEAST_ONCE).contentType("text/x-obituary")
        .userProperties().add("cause", "admin").applyUserProperties().applyWillPublish().send();

    // Exercise
    assertTrue(sut.broker().disconnect("hive5-victim"));

    // Verify
    assertEquals(List.of(new Received(willTopic, "hive5 victim is gone", 1, false,
        "text/x-obituary", List.of("cause=admin"))), watcher.awaitCount(1));
    Inbox.waiting().until(() -> cause.get() != null);
    Mqtt5DisconnectException disconnect =
        assertInstanceOf(Mqtt5DisconnectException.class, cause.get());
    assertEquals(Mqtt5DisconnectReasonCode.ADMINISTRATIVE_ACTION,
        disconnect.getMqttMessage().getReasonCode());
  }

  @Test
  void mqtt3PublishesARetainedWillWhenTheBrokerDropsTheClient() {
    String willTopic = "hive3/will/retained";
    Mqtt3BlockingClient victim = v3("hive3-victim", new Inbox<>());
    victim.connectWith().willPublish().topic(willTopic).payload(bytes("hive3 victim is gone"))
        .qos(MqttQos.EXACTLY_ONCE).retain(true).applyWillPublish().send();

    // Exercise
    assertTrue(sut.broker().disconnect("hive3-victim"));
    Inbox.waiting().until(() -> !sut.isConnected("hive3-victim"));

    // Verify: a subscriber arriving afterwards finds the will as the retained message
    Inbox<Received> late = new Inbox<>();
    Mqtt3BlockingClient watch = v3("hive3-watch-will", late);
    watch.connect();
    watch.subscribeWith().topicFilter(willTopic).qos(MqttQos.EXACTLY_ONCE).send();
    assertEquals(List.of(Received.plain(willTopic, "hive3 victim is gone", 2, true)),
        late.awaitCount(1));
  }

  @Test
  void mqtt5DoesNotPublishTheWillOnNormalDisconnect() {
    String willTopic = "hive5/will/normal";
    Inbox<Received> watcher = new Inbox<>();
    Mqtt5BlockingClient watch = v5("hive5-watch-nowill", watcher);
    watch.connect();
    watch.subscribeWith().topicFilter(willTopic).qos(MqttQos.AT_LEAST_ONCE).send();
    Mqtt5BlockingClient polite = v5("hive5-polite", new Inbox<>());
    polite.connectWith().willPublish().topic(willTopic).payload(bytes("must not appear"))
        .qos(MqttQos.AT_LEAST_ONCE).applyWillPublish().send();

    // Exercise
    polite.disconnect();
    Inbox.waiting().until(() -> !sut.isConnected("hive5-polite"));
    watch.publishWith().topic(willTopic).payload(bytes("marker")).qos(MqttQos.AT_LEAST_ONCE)
        .send();

    // Verify
    assertEquals(List.of(Received.plain(willTopic, "marker", 1, false)),
        watcher.awaitMatching(r -> r.payload().equals("marker")));
    assertFalse(sut.hasSession("hive5-polite"), "session expiry 0 ends the session");
  }

  @Test
  void crossesProtocolVersionsBetweenClients() {
    Inbox<Received> v3Inbox = new Inbox<>();
    Mqtt3BlockingClient v3 = v3("hive3-cross", v3Inbox);
    v3.connect();
    v3.subscribeWith().topicFilter("cross/to3").qos(MqttQos.EXACTLY_ONCE).send();
    Inbox<Received> v5Inbox = new Inbox<>();
    Mqtt5BlockingClient v5 = v5("hive5-cross", v5Inbox);
    v5.connect();
    v5.subscribeWith().topicFilter("cross/to5").qos(MqttQos.EXACTLY_ONCE).send();

    // Exercise
    v5.publishWith().topic("cross/to3").payload(bytes("from five")).qos(MqttQos.EXACTLY_ONCE)
        .contentType("text/plain").userProperties().add("k", "v").applyUserProperties().send();
    v3.publishWith().topic("cross/to5").payload(bytes("from three")).qos(MqttQos.AT_LEAST_ONCE)
        .send();

    // Verify: MQTT 5 properties are dropped towards MQTT 3, and nothing is invented the other way
    assertEquals(List.of(Received.plain("cross/to3", "from five", 2, false)),
        v3Inbox.awaitCount(1));
    assertEquals(List.of(Received.plain("cross/to5", "from three", 1, false)),
        v5Inbox.awaitCount(1));
    Publish toV3 = sut.tap().connectionsOf("hive3-cross").get(0).publishesToClient().get(0);
    assertEquals(QoS.EXACTLY_ONCE, toV3.qos());
  }

  /** The message number {@code i} expected on {@code topic}, published at {@code qos}. */
  @FunctionalInterface
  private interface Expected {
    Received at(String topic, int qos, int i);
  }

  /** Waits for nine messages and checks three arrived in order on {@code base + qos}, per QoS. */
  private static void assertThreeInOrderAtEachQos(String base, Inbox<Received> inbox,
      Expected expected) {
    List<Received> received = inbox.awaitCount(9);
    for (int qos = 0; qos <= 2; qos++) {
      String topic = base + qos;
      List<Received> onTopic = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        onTopic.add(expected.at(topic, qos, i));
      }
      assertEquals(onTopic, received.stream().filter(r -> r.topic().equals(topic)).toList());
    }
    assertEquals(9, received.size(), () -> "unexpected extra deliveries: " + received);
  }

  private Mqtt5BlockingClient v5(String clientId, Inbox<Received> inbox) {
    Mqtt5Client client = Mqtt5Client.builder().identifier(clientId)
        .serverHost(RunningBroker.HOST).serverPort(sut.port()).build();
    client.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> inbox.add(Received.of(p)));
    Mqtt5BlockingClient blocking = client.toBlocking();
    clients.add(() -> {
      if (blocking.getState().isConnected()) {
        blocking.disconnect();
      }
    });
    return blocking;
  }

  private Mqtt3BlockingClient v3(String clientId, Inbox<Received> inbox) {
    Mqtt3Client client = Mqtt3Client.builder().identifier(clientId)
        .serverHost(RunningBroker.HOST).serverPort(sut.port()).build();
    client.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> inbox.add(Received.of(p)));
    Mqtt3BlockingClient blocking = client.toBlocking();
    clients.add(() -> {
      if (blocking.getState().isConnected()) {
        blocking.disconnect();
      }
    });
    return blocking;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
