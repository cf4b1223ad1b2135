package org.ferrymq.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubComp;
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A persistent subscriber on node B that takes nothing holds back QoS 2 messages published on
 * node A past {@code mqtt.cluster.forward-timeout} (1 s here; its backlog of 2 in flight and 4
 * queued is full). B disconnects it as a stuck subscriber, which admits the messages to its
 * session, and tells A they were taken: A's publisher is acknowledged for every message and
 * told of no failure, so it resends nothing, and the subscriber, back, gets every message once.
 * Before, B settled them as failed while they stayed queued: an MQTT 3 publisher was
 * disconnected and resent them, and the subscriber got them twice.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForwardTimeoutTest {
  private static final String NAME = "fwdto-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String SECRET = "a-shared-secret-of-the-test-cluster";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int COUNT = 12;
  private static final List<ClusterBroker> NODES = new ArrayList<>();
  private static ClusterBroker a;
  private static ClusterBroker b;

  @BeforeAll
  static void startCluster() throws Exception {
    NODES.addAll(ClusterBroker.startCluster(NAME, SECRET, 2, "mqtt.max-inflight", "2",
        "mqtt.queue.max-messages", "4", "mqtt.cluster.forward-timeout", "1"));
    a = NODES.get(0);
    b = NODES.get(1);
  }

  @AfterAll
  static void stopCluster() {
    NODES.forEach(ClusterBroker::close);
  }

  @Test
  void anMqtt3PublisherIsAcknowledgedAndItsQos2MessagesArriveOncePastTheTimeout()
      throws Exception {
    TestClient held = TestClient.connect(b.broker, ProtocolVersion.MQTT_3_1_1, "held-3", false);
    held.subscribe("held3/t", QoS.EXACTLY_ONCE);
    ClusterSessionsTest.awaitFilterKnown(a, b, "held3/t");
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicInteger lost = new AtomicInteger();
    MqttAsyncClient publisher = resendingPublisher(lost);
    try {
      // Exercise: the subscriber takes nothing while the messages arrive and the timeout passes
      for (int i = 0; i < COUNT; i++) {
        publish(publisher, "held3/t", Integer.toString(i), acknowledged);
      }
      await().atMost(WAIT).until(() -> held.isClosed() || lost.get() > 0);
      TestClient back = TestClient.connect(b.broker, ProtocolVersion.MQTT_3_1_1, "held-3",
          false);
      Map<String, Integer> arrivals = receive(back, () -> acknowledged.size() == COUNT);

      // Verify: every acknowledged message arrives; [MQTT-4.3.3-2] none twice, the publisher
      // having been told of no failure it would resend for [MQTT-4.4.0-1]
      assertEquals(all(), arrivals.keySet(), "acknowledged, so delivered");
      assertEquals(Map.of(), twice(arrivals), "[MQTT-4.3.3-2] no QoS 2 message twice");
      assertEquals(0, lost.get(), "the publisher was never disconnected for a failure");
      assertTrue(held.isClosed(), "the subscriber that held them back was disconnected");
    } finally {
      if (publisher.isConnected()) {
        publisher.disconnect().waitForCompletion(5_000);
      }
      publisher.close(true);
    }
  }

  @Test
  void anMqtt5PublisherGetsNoFailureAndItsQos2MessagesArriveOncePastTheTimeout() {
    Properties persistent = Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 300)
        .build();
    TestClient held = TestClient.connect(b.broker, ProtocolVersion.MQTT_5, "held-5", false,
        null, persistent);
    held.subscribe("held5/t", QoS.EXACTLY_ONCE);
    ClusterSessionsTest.awaitFilterKnown(a, b, "held5/t");
    TestClient publisher = TestClient.connect(a.broker, ProtocolVersion.MQTT_5, "pub-5", true);

    // Exercise: the subscriber takes nothing while the messages arrive and the timeout passes
    for (int i = 0; i < COUNT; i++) {
      publisher.publish("held5/t", Integer.toString(i), QoS.EXACTLY_ONCE, false);
    }
    List<PubRec> recs = new ArrayList<>();
    for (int i = 0; i < COUNT; i++) {
      recs.add(publisher.expect(PubRec.class));
    }

    // Verify: [MQTT-4.3.3-8] each PUBREC a success; not 0x80 for a message delivered after
    // all, after which the publisher's resend would be a new message [MQTT-4.3.3-9]
    recs.forEach(rec -> assertEquals(ReasonCode.SUCCESS, rec.reasonCode(), rec.toString()));

    // Exercise: the publisher releases them; the subscriber, disconnected, comes back
    recs.forEach(rec -> publisher.send(new PubRel(rec.packetId())));
    await().atMost(WAIT).until(held::isClosed);
    TestClient back = TestClient.connect(b.broker, ProtocolVersion.MQTT_5, "held-5", false,
        null, persistent);
    Map<String, Integer> arrivals = receive(back, () -> true);

    // Verify: every message arrives, [MQTT-4.3.3-10] none twice
    for (int i = 0; i < COUNT; i++) {
      publisher.expect(PubComp.class);
    }
    assertEquals(all(), arrivals.keySet(), "acknowledged, so delivered");
    assertEquals(Map.of(), twice(arrivals), "[MQTT-4.3.3-10] no QoS 2 message twice");
    // the subscriber that held them back was disconnected as a stuck one is (0x97), after the
    // two PUBLISH packets it had in flight and left unacknowledged
    assertEquals(ReasonCode.QUOTA_EXCEEDED, lastPacket(held, Disconnect.class).reasonCode(),
        "3.14.2.1 Disconnect Reason Code");
  }

  private static <T extends Packet> T lastPacket(TestClient client, Class<T> type) {
    Packet last = null;
    for (Packet p = client.transport.pollNow(); p != null; p = client.transport.pollNow()) {
      last = p;
    }
    return assertInstanceOf(type, last);
  }

  /**
   * A QoS 2 receiver by the book [MQTT-4.3.3-2]: a PUBLISH is taken once per identifier until
   * its PUBREL, each answered; a QoS 1 PUBLISH is taken and acknowledged each time. Takes what arrives until {@code done} holds and nothing has
   * arrived for a while.
   *
   * @return how often each payload was taken
   */
  static Map<String, Integer> receive(TestClient client, BooleanSupplier done) {
    Map<String, Integer> arrivals = new TreeMap<>();
    Set<Integer> unreleased = new HashSet<>();
    await().during(Duration.ofMillis(1500)).atMost(WAIT).until(() -> {
      boolean none = true;
      for (Packet p = client.transport.pollNow(); p != null; p = client.transport.pollNow()) {
        none = false;
        if (p instanceof Publish publish && publish.qos() == QoS.AT_LEAST_ONCE) {
          arrivals.merge(TestClient.payloadOf(publish), 1, Integer::sum);
          client.puback(publish);
        } else if (p instanceof Publish publish) {
          if (unreleased.add(publish.packetId())) {
            arrivals.merge(TestClient.payloadOf(publish), 1, Integer::sum);
          }
          client.send(new PubRec(publish.packetId()));
        } else if (p instanceof PubRel rel) {
          unreleased.remove(rel.packetId());
          client.send(new PubComp(rel.packetId()));
        }
      }
      return none && done.getAsBoolean();
    });
    return arrivals;
  }

  /** An MQTT 3.1.1 Paho client that reconnects by itself and resends what is unacknowledged. */
  private MqttAsyncClient resendingPublisher(AtomicInteger lost) throws Exception {
    MqttAsyncClient client = new MqttAsyncClient(a.uri(), "pub-3", new MemoryPersistence());
    client.setCallback(countingLost(lost));
    MqttConnectOptions options = ClusterSessionsTest.options(false, null);
    options.setAutomaticReconnect(true);
    options.setMaxInflight(COUNT);
    client.connect(options).waitForCompletion(10_000);
    return client;
  }

  /** A publisher's callback that counts its lost connections. */
  static MqttCallback countingLost(AtomicInteger lost) {
    return new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
        lost.incrementAndGet();
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    };
  }

  /** Publishes at QoS 2; {@code acknowledged} gets the payload once PUBCOMP came. */
  static void publish(MqttAsyncClient client, String topic, String payload,
      Set<String> acknowledged) throws MqttException {
    MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    m.setQos(2);
    client.publish(topic, m, null, new IMqttActionListener() {
      @Override
      public void onSuccess(IMqttToken token) {
        acknowledged.add(payload);
      }

      @Override
      public void onFailure(IMqttToken token, Throwable error) {
        // not acknowledged: the assertions count what was
      }
    });
  }

  private static Set<String> all() {
    Set<String> all = new java.util.TreeSet<>();
    for (int i = 0; i < COUNT; i++) {
      all.add(Integer.toString(i));
    }
    return all;
  }

  private static Map<String, Integer> twice(Map<String, Integer> arrivals) {
    Map<String, Integer> twice = new TreeMap<>(arrivals);
    twice.values().removeIf(n -> n == 1);
    return twice;
  }
}
