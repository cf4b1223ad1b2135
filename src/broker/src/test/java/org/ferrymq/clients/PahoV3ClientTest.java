package org.ferrymq.clients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.ProtocolVersion;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Eclipse Paho Java v3 client, speaking MQTT 3.1.1 and MQTT 3.1, against the engine behind
 * the Netty TCP listener. Every test runs once per protocol version.
 */
class PahoV3ClientTest {

  /** The two protocol versions Paho v3 speaks, with what the broker must see in CONNECT. */
  enum Version {
    V3_1_1(MqttConnectOptions.MQTT_VERSION_3_1_1, ProtocolVersion.MQTT_3_1_1),
    V3_1(MqttConnectOptions.MQTT_VERSION_3_1, ProtocolVersion.MQTT_3_1);

    final int paho;
    final ProtocolVersion wire;

    Version(int paho, ProtocolVersion wire) {
      this.paho = paho;
      this.wire = wire;
    }

    /** A client id unique to this version, within MQTT 3.1's 23 characters. */
    String id(String name) {
      return (this == V3_1 ? "p31-" : "p311-") + name;
    }
  }

  /** One message as the Paho callback saw it. */
  record Received(String topic, String payload, int qos, boolean retained, boolean duplicate) {
  }

  @RegisterExtension
  static final RunningBroker sut = RunningBroker.tcp();

  @RegisterExtension
  final OpenClients clients = new OpenClients();

  @ParameterizedTest
  @EnumSource(Version.class)
  void publishesAndDeliversAtEachQosAndDowngradesToTheSubscriptionQos(Version version)
      throws MqttException {
    Inbox<Received> inbox = new Inbox<>();
    MqttClient subscriber = connect(version, version.id("sub-qos"), inbox, o -> { });
    MqttClient publisher = connect(version, version.id("pub-qos"), new Inbox<>(), o -> { });
    String base = "v3/" + version + "/qos/";
    for (int qos = 0; qos <= 2; qos++) {
      IMqttToken granted = subscriber.subscribeWithResponse(base + qos, qos);
      assertArrayEquals(new int[] {qos}, granted.getGrantedQos());
    }
    subscriber.subscribe(base + "downgrade", 1);

    // Exercise
    for (int qos = 0; qos <= 2; qos++) {
      for (int i = 0; i < 3; i++) {
        publisher.publish(base + qos, message("q" + qos + "-" + i, qos, false));
      }
    }
    publisher.publish(base + "downgrade", message("sent at QoS 2", 2, false));

    // Verify
    List<Received> received = inbox.awaitCount(10);
    for (int qos = 0; qos <= 2; qos++) {
      String topic = base + qos;
      List<Received> onTopic = received.stream().filter(r -> r.topic().equals(topic)).toList();
      int expectedQos = qos;
      assertEquals(List.of("q" + qos + "-0", "q" + qos + "-1", "q" + qos + "-2"),
          onTopic.stream().map(Received::payload).toList(), topic);
      assertTrue(onTopic.stream().allMatch(r -> r.qos() == expectedQos && !r.retained()),
          () -> "qos and retain flag on " + topic + ": " + onTopic);
    }
    assertEquals(List.of(new Received(base + "downgrade", "sent at QoS 2", 1, false, false)),
        received.stream().filter(r -> r.topic().equals(base + "downgrade")).toList());
    assertEquals(10, received.size(), () -> "unexpected extra deliveries: " + received);
    assertWireVersion(version, version.id("sub-qos"));
    assertWireVersion(version, version.id("pub-qos"));
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void deliversFiveHundredQos1MessagesCompleteAndInOrder(Version version) throws MqttException {
    Inbox<Received> inbox = new Inbox<>();
    MqttClient subscriber = connect(version, version.id("sub-500"), inbox, o -> { });
    // Paho counts a QoS 1 publish as in flight until its callback thread has run, which can lag
    // behind the blocking publish() returning; the default limit of 10 then trips spuriously.
    MqttClient publisher = connect(version, version.id("pub-500"), new Inbox<>(),
        o -> o.setMaxInflight(1000));
    String topic = "v3/" + version + "/ordered";
    subscriber.subscribe(topic, 1);

    // Exercise
    for (int i = 0; i < 500; i++) {
      publisher.publish(topic, message(Integer.toString(i), 1, false));
    }

    // Verify
    List<Received> received = inbox.awaitCount(500);
    assertEquals(IntStream.range(0, 500).mapToObj(Integer::toString).toList(),
        received.stream().map(Received::payload).toList());
    assertTrue(received.stream().allMatch(r -> r.qos() == 1 && !r.duplicate()));
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void storesReplacesAndClearsRetainedMessages(Version version) throws MqttException {
    String topic = "v3/" + version + "/retained";
    MqttClient publisher = connect(version, version.id("pub-ret"), new Inbox<>(), o -> { });
    publisher.publish(topic, message("first", 1, true));
    publisher.publish(topic, message("second", 1, true));

    // Exercise: a late subscriber gets the latest retained message, flagged as retained
    Inbox<Received> late = new Inbox<>();
    MqttClient lateSubscriber = connect(version, version.id("late-ret"), late, o -> { });
    lateSubscriber.subscribe(topic, 1);
    assertEquals(List.of(new Received(topic, "second", 1, true, false)), late.awaitCount(1));

    // A live message to an existing subscriber is not flagged as retained
    publisher.publish(topic, message("live", 1, false));
    assertEquals(new Received(topic, "live", 1, false, false), late.awaitCount(2).get(1));

    // An empty retained payload clears the topic
    publisher.publish(topic, message("", 1, true));
    Inbox<Received> later = new Inbox<>();
    MqttClient laterSubscriber = connect(version, version.id("later-ret"), later, o -> { });
    laterSubscriber.subscribe(topic, 1);
    publisher.publish(topic, message("marker", 1, false));

    // Verify
    assertEquals(List.of(new Received(topic, "marker", 1, false, false)),
        later.awaitMatching(r -> r.payload().equals("marker")));
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void publishesTheWillWhenTheConnectionDropsWithoutDisconnect(Version version)
      throws Exception {
    String willTopic = "v3/" + version + "/will/abrupt";
    Inbox<Received> watcher = new Inbox<>();
    connect(version, version.id("watch-will"), watcher, o -> { }).subscribe(willTopic, 1);
    KillableSocketFactory network = new KillableSocketFactory();
    String victimId = version.id("victim");
    connect(version, victimId, new Inbox<>(), o -> {
      o.setSocketFactory(network);
      o.setWill(willTopic, "victim is gone".getBytes(StandardCharsets.UTF_8), 1, false);
    });

    // Exercise: the TCP connection is reset under the client, which sends no DISCONNECT
    network.kill(true);

    // Verify
    assertEquals(List.of(new Received(willTopic, "victim is gone", 1, false, false)),
        watcher.awaitCount(1));
    Inbox.waiting().until(() -> !sut.isConnected(victimId));
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void doesNotPublishTheWillOnNormalDisconnect(Version version) throws MqttException {
    String willTopic = "v3/" + version + "/will/normal";
    Inbox<Received> watcher = new Inbox<>();
    MqttClient watch = connect(version, version.id("watch-nowill"), watcher, o -> { });
    watch.subscribe(willTopic, 1);
    String politeId = version.id("polite");
    MqttClient polite = connect(version, politeId, new Inbox<>(),
        o -> o.setWill(willTopic, "must not appear".getBytes(StandardCharsets.UTF_8), 1, false));

    // Exercise
    polite.disconnect(5000);
    Inbox.waiting().until(() -> !sut.isConnected(politeId));
    watch.publish(willTopic, message("marker", 1, false));

    // Verify
    assertEquals(List.of(new Received(willTopic, "marker", 1, false, false)),
        watcher.awaitMatching(r -> r.payload().equals("marker")));
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void resumesAPersistentSessionWithTheMessagesQueuedWhileOffline(Version version)
      throws MqttException {
    String topic = "v3/" + version + "/persistent";
    String clientId = version.id("persist");
    Consumer<MqttConnectOptions> persistent = o -> o.setCleanSession(false);
    MqttClient first = connect(version, clientId, new Inbox<>(), o -> o.setCleanSession(true));
    first.disconnect(5000);
    MqttClient durable = connect(version, clientId, new Inbox<>(), persistent);
    durable.subscribe(topic, 2);
    durable.disconnect(5000);
    Inbox.waiting().until(() -> !sut.isConnected(clientId));
    MqttClient publisher = connect(version, version.id("pub-persist"), new Inbox<>(), o -> { });
    for (int i = 0; i < 5; i++) {
      publisher.publish(topic, message("q1-" + i, 1, false));
      publisher.publish(topic, message("q2-" + i, 2, false));
    }
    publisher.publish(topic, message("q0-dropped-or-kept", 0, false));

    // Exercise
    Inbox<Received> inbox = new Inbox<>();
    MqttClient resumed = client(clientId, inbox);
    MqttConnectOptions options = options(version);
    persistent.accept(options);
    IMqttToken connected = resumed.connectWithResult(options);
    inbox.awaitCount(10);
    publisher.publish(topic, message("after-resume", 2, false));

    // Verify: 3.1 has no session present flag in CONNACK
    assertEquals(version == Version.V3_1_1, connected.getSessionPresent());
    assertEquals(INTERLEAVED_ON_THE_WIRE,
        sut.tap().connectionsOf(clientId).get(2).reliableDeliveries().subList(0, 10),
        "the broker sends queued messages in the order it received them [MQTT-4.6.0-6]");
    // Paho hands QoS 2 messages to the application only on PUBREL, so compare per QoS level
    List<Received> all = inbox.awaitMatching(r -> r.payload().equals("after-resume"));
    assertEquals(List.of("q1-0", "q1-1", "q1-2", "q1-3", "q1-4"), payloadsAtQos(all, 1));
    assertEquals(List.of("q2-0", "q2-1", "q2-2", "q2-3", "q2-4", "after-resume"),
        payloadsAtQos(all, 2), "QoS 2: each exactly once, in order");
    assertTrue(payloadsAtQos(all, 0).size() <= 1, () -> "QoS 0 at most once: " + all);
  }

  /** What a resumed session receives first, as {@link WireTap.Tapped#reliableDeliveries()}. */
  static final List<String> INTERLEAVED_ON_THE_WIRE = List.of("q1-0@1", "q2-0@2", "q1-1@1",
      "q2-1@2", "q1-2@1", "q2-2@2", "q1-3@1", "q2-3@2", "q1-4@1", "q2-4@2");

  private static List<String> payloadsAtQos(List<Received> received, int qos) {
    return received.stream().filter(r -> r.qos() == qos).map(Received::payload).toList();
  }

  private void assertWireVersion(Version version, String clientId) {
    List<WireTap.Tapped> connections = sut.tap().connectionsOf(clientId);
    assertEquals(1, connections.size());
    Connect connect = connections.get(0).connect().orElseThrow();
    assertEquals(version.wire, connect.version());
  }

  private static MqttMessage message(String payload, int qos, boolean retained) {
    MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    message.setQos(qos);
    message.setRetained(retained);
    return message;
  }

  private static MqttConnectOptions options(Version version) {
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(version.paho);
    options.setCleanSession(true);
    options.setAutomaticReconnect(false);
    options.setConnectionTimeout(10);
    options.setKeepAliveInterval(30);
    return options;
  }

  private MqttClient client(String clientId, Inbox<Received> inbox) throws MqttException {
    MqttClient client = new MqttClient(sut.uri(), clientId, new MemoryPersistence());
    client.setTimeToWait(Inbox.TIMEOUT.toMillis());
    client.setCallback(recordingInto(inbox));
    clients.add(() -> {
      if (client.isConnected()) {
        client.disconnect(1000);
      }
      client.close(true);
    });
    return client;
  }

  /** @return a callback that adds every message that arrives to {@code inbox} */
  static MqttCallback recordingInto(Inbox<Received> inbox) {
    return new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        inbox.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8),
            message.getQos(), message.isRetained(), message.isDuplicate()));
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    };
  }

  private MqttClient connect(Version version, String clientId, Inbox<Received> inbox,
      Consumer<MqttConnectOptions> customise) throws MqttException {
    MqttClient client = client(clientId, inbox);
    MqttConnectOptions options = options(version);
    customise.accept(options);
    client.connect(options);
    return client;
  }
}
