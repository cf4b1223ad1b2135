package org.ferrymq.clients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubRecException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRecReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.ferrymq.engine.DropReason;
import org.ferrymq.engine.QuotaCap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The caps on durable state over real sockets, seen by the Eclipse Paho v5 and v3 clients: the
 * reason code each client reads, what is kept and what is refused, and the refusal counts. Each
 * test starts its own broker with small caps.
 */
class QuotaCapsClientTest {

  private static final int QUOTA_EXCEEDED = 0x97;
  /** A success code: accepted, no one subscribed. */
  private static final int NO_MATCHING_SUBSCRIBERS = 0x10;

  @RegisterExtension
  final OpenClients clients = new OpenClients();

  private RunningBroker sut;
  private int readers;
  /** Session Present of the latest {@link #v5} connection. */
  private boolean lastSessionPresent;

  @AfterEach
  void stop() {
    if (sut != null) {
      sut.stop();
    }
  }

  // ---------------------------------------------------------------- sessions

  @Test
  @DisplayName("past mqtt.max-sessions a new client gets CONNACK 0x97 (MQTT 5) or return code 3"
      + " (3.1.1), and the connection is closed [MQTT-3.2.2-7] [MQTT-3.2.2-5]")
  void sessionCapRefusesNewClients() throws Exception {
    sut = RunningBroker.startTcp("mqtt.max-sessions", "2", "mqtt.max-persistent-sessions", "2");
    v5("s-1", 0, true);
    v3("s-2", true);

    // Exercise
    MqttException v5Refused = assertThrows(MqttException.class, () -> v5("s-3", 0, true));
    org.eclipse.paho.client.mqttv3.MqttException v3Refused = assertThrows(
        org.eclipse.paho.client.mqttv3.MqttException.class, () -> v3("s-4", true));

    // Verify
    assertEquals(QUOTA_EXCEEDED, v5Refused.getReasonCode(), "CONNACK reason code");
    assertEquals(org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_BROKER_UNAVAILABLE,
        v3Refused.getReasonCode(), "3.1.1 CONNACK return code 3 Server unavailable");
    assertEquals(2L, refusals(QuotaCap.SESSIONS));
    assertEquals(2L, sut.broker().quotaStats().sessions());
  }

  @Test
  @DisplayName("past mqtt.max-persistent-sessions a persistent session is refused (0x97 / rc 3),"
      + " a clean one is still accepted")
  void persistentSessionCapRefusesNewPersistentSessions() throws Exception {
    sut = RunningBroker.startTcp("mqtt.max-persistent-sessions", "1");
    v5("p-1", 300, false).disconnect();

    // Exercise + Verify
    MqttException v5Refused = assertThrows(MqttException.class, () -> v5("p-2", 300, false));
    assertEquals(QUOTA_EXCEEDED, v5Refused.getReasonCode());
    org.eclipse.paho.client.mqttv3.MqttException v3Refused = assertThrows(
        org.eclipse.paho.client.mqttv3.MqttException.class, () -> v3("p-3", false));
    assertEquals(org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_BROKER_UNAVAILABLE,
        v3Refused.getReasonCode(), "an MQTT 3 clean session 0 session is persistent");
    assertTrue(v5("p-2", 0, true).isConnected(), "a session ending at disconnect takes no "
        + "persistent place");
    assertEquals(2L, refusals(QuotaCap.PERSISTENT_SESSIONS));
    assertEquals(1L, sut.broker().quotaStats().persistentSessions());
  }

  @Test
  @DisplayName("a client resuming, taking over or replacing its own session is never refused"
      + " while every place is taken; Session Present 1 on resume [MQTT-3.2.2-2]")
  void ownSessionIsNeverRefused() throws Exception {
    sut = RunningBroker.startTcp("mqtt.max-sessions", "2", "mqtt.max-persistent-sessions", "1");
    MqttClient first = v5("own", 300, false);
    first.subscribe("own/t", 1);
    first.disconnect();
    v5("other", 0, true);

    // Exercise: resume while offline, take over while online, clean start over its own session
    MqttClient resumed = v5("own", 300, false);
    boolean present = lastSessionPresent;
    MqttClient takeover = v5("own", 300, false);
    boolean presentOnTakeover = lastSessionPresent;
    MqttClient replaced = v5("own", 300, true);

    // Verify
    assertTrue(present, "[MQTT-3.2.2-2] the resumed session is present");
    assertTrue(presentOnTakeover, "[MQTT-3.1.4-3] the session survives the takeover");
    Inbox.waiting().until(() -> !resumed.isConnected() && !takeover.isConnected());
    assertTrue(replaced.isConnected());
    assertEquals(QUOTA_EXCEEDED, assertThrows(MqttException.class,
        () -> v5("stranger", 300, false)).getReasonCode(), "the caps were full throughout");
    assertEquals(1L, refusals(QuotaCap.SESSIONS), "only the stranger was refused");
    assertEquals(2L, sut.broker().quotaStats().sessions());
    assertEquals(1L, sut.broker().quotaStats().persistentSessions());
  }

  @Test
  @DisplayName("[MQTT-4.1.0-2] a session whose expiry interval passed frees its place for"
      + " another client")
  void expiredSessionFreesItsPlace() throws Exception {
    sut = RunningBroker.startTcp("mqtt.max-persistent-sessions", "1");
    v5("short-lived", 1, false).disconnect();
    assertEquals(QUOTA_EXCEEDED, assertThrows(MqttException.class,
        () -> v5("next", 300, false)).getReasonCode(), "the place is still taken");

    // Exercise: the timer ends the session about a second after the disconnect
    Inbox.waiting().until(() -> sut.broker().quotaStats().persistentSessions() == 0);

    // Verify
    assertTrue(v5("next", 300, false).isConnected());
    assertFalse(sut.hasSession("short-lived"));
  }

  // ---------------------------------------------------------------- subscriptions

  @Test
  @DisplayName("MQTT 5 (HiveMQ client: Paho v5 1.2.5 rejects 0x97 in SUBACK): filters past"
      + " mqtt.max-subscriptions-per-client get SUBACK 0x97, the others and the existing"
      + " subscriptions are kept, a replaced filter is not refused [MQTT-3.9.3-1]")
  void subscriptionCapV5() throws Exception {
    sut = RunningBroker.startTcp("mqtt.max-subscriptions-per-client", "3");
    Inbox<String> inbox = new Inbox<>();
    Mqtt5BlockingClient c = hiveV5("subs", inbox);
    subscribe(c, "a", "b");

    // Exercise
    List<Mqtt5SubAckReasonCode> codes = subscribe(c, "c", "d", "a");

    // Verify
    assertEquals(List.of(Mqtt5SubAckReasonCode.GRANTED_QOS_1,
        Mqtt5SubAckReasonCode.QUOTA_EXCEEDED, Mqtt5SubAckReasonCode.GRANTED_QOS_1), codes,
        "the third filter granted, the fourth refused, a replaced one granted");
    MqttClient pub = v5("subs-pub", 0, true);
    for (String topic : List.of("a", "b", "c", "d")) {
      pub.publish(topic, new MqttMessage(topic.getBytes(StandardCharsets.UTF_8), 1, false, null));
    }
    pub.publish("a", new MqttMessage("end".getBytes(StandardCharsets.UTF_8), 1, false, null));
    assertEquals(List.of("a", "b", "c", "end"), inbox.awaitMatching("end"::equals));
    assertEquals(1L, refusals(QuotaCap.SUBSCRIPTIONS));
  }

  private static List<Mqtt5SubAckReasonCode> subscribe(Mqtt5BlockingClient c, String... filters) {
    List<Mqtt5Subscription> subscriptions = new ArrayList<>();
    for (String f : filters) {
      subscriptions.add(Mqtt5Subscription.builder().topicFilter(f).qos(MqttQos.AT_LEAST_ONCE)
          .build());
    }
    try {
      return c.subscribe(Mqtt5Subscribe.builder().addSubscriptions(subscriptions).build())
          .getReasonCodes();
    } catch (Mqtt5SubAckException e) {
      return e.getMqttMessage().getReasonCodes();
    }
  }

  @Test
  @DisplayName("MQTT 3.1.1: a filter past the cap gets SUBACK return code 0x80 Failure"
      + " [MQTT-3.9.3-2], the one granted is kept")
  void subscriptionCapV3() throws Exception {
    sut = RunningBroker.startTcp("mqtt.max-subscriptions-per-client", "1");
    org.eclipse.paho.client.mqttv3.MqttClient c = v3("subs-v3", true);
    int[] qos = {1, 1};

    // Exercise
    c.subscribe(new String[] {"x", "y"}, qos);

    // Verify
    assertArrayEquals(new int[] {1, 0x80}, qos);
    assertEquals(1L, refusals(QuotaCap.SUBSCRIPTIONS));
    assertEquals(1L, sut.broker().stats().subscriptions());
  }

  // ---------------------------------------------------------------- retained messages

  @Test
  @DisplayName("past mqtt.retained.max-messages a retained PUBLISH for a new topic is delivered"
      + " but not retained: MQTT 5 PUBACK 0x97, 3.1.1 PUBACK as usual; replacing and deleting"
      + " are never refused [MQTT-3.3.1-5] [MQTT-3.3.1-6]")
  void retainedCountCap() throws Exception {
    sut = RunningBroker.startTcp("mqtt.retained.max-messages", "2");
    Inbox<String> live = new Inbox<>();
    v5("live", 0, true, live).subscribe("r/#", 1);
    MqttAsyncClient pub = v5Async("retainer");
    assertEquals(0, publish(pub, "r/1", "one", 1));
    assertEquals(0, publish(pub, "r/2", "two", 1));

    // Exercise
    int refused = publish(pub, "r/3", "three", 1);
    org.eclipse.paho.client.mqttv3.MqttClient v3 = v3("retainer-v3", true);
    v3.publish("r/4", "four".getBytes(StandardCharsets.UTF_8), 1, true);

    // Verify
    assertEquals(QUOTA_EXCEEDED, refused);
    assertTrue(live.awaitMatching("four"::equals).containsAll(List.of("three", "four")),
        "delivered to subscribers all the same");
    assertEquals(Set.of("one", "two"), retainedUnder("r/#"), "not retained");
    assertEquals(0, publish(pub, "r/1", "one again", 1), "replacing is never refused");
    assertEquals(0, publish(pub, "r/2", "", 1), "deleting is never refused");
    assertEquals(0, publish(pub, "r/3", "three", 1), "a deleted topic made room");
    assertEquals(Set.of("one again", "three"), retainedUnder("r/#"));
    assertEquals(2L, refusals(QuotaCap.RETAINED_COUNT));
  }

  @Test
  @DisplayName("past mqtt.retained.max-bytes (payload, topic, properties) a new retained topic"
      + " is refused with PUBACK 0x97, a replacement that grows is not")
  void retainedBytesCap() throws Exception {
    sut = RunningBroker.startTcp("mqtt.retained.max-bytes", "100");
    MqttAsyncClient pub = v5Async("bytes");
    assertEquals(NO_MATCHING_SUBSCRIBERS, publish(pub, "b/1", "x".repeat(60), 1));

    // Exercise + Verify
    assertEquals(QUOTA_EXCEEDED, publish(pub, "b/2", "x".repeat(60), 1));
    assertEquals(NO_MATCHING_SUBSCRIBERS, publish(pub, "b/1", "y".repeat(120), 1),
        "a replacement is applied");
    assertEquals(QUOTA_EXCEEDED, publish(pub, "b/2", "z", 1), "no room for a new topic");
    assertEquals(Set.of("y".repeat(120)), retainedUnder("b/#"));
    assertEquals(2L, refusals(QuotaCap.RETAINED_BYTES));
    assertEquals(123L, sut.broker().quotaStats().retainedBytes(), "payload and topic");
  }

  @Test
  @DisplayName("MQTT 5 QoS 2 (HiveMQ client: Paho v5 drops the connection on an error PUBREC): a"
      + " retained PUBLISH past the cap gets PUBREC 0x97, which ends the exchange [MQTT-4.3.3-4]:"
      + " no PUBREL is awaited and the next QoS 2 PUBLISH with any packet id succeeds")
  void retainedCapQos2EndsTheExchange() throws Exception {
    sut = RunningBroker.startTcp("mqtt.retained.max-messages", "1", "mqtt.receive-maximum", "1");
    Mqtt5BlockingClient c = hiveV5("qos2");
    assertEquals(Mqtt5PubRecReasonCode.NO_MATCHING_SUBSCRIBERS, publishQos2(c, "q/1", true));

    // Exercise
    Mqtt5PubRecReasonCode refused = publishQos2(c, "q/2", true);

    // Verify: with a Receive Maximum of 1 a packet id still awaiting PUBREL would block the next
    assertEquals(Mqtt5PubRecReasonCode.QUOTA_EXCEEDED, refused);
    for (int i = 0; i < 3; i++) {
      assertEquals(Mqtt5PubRecReasonCode.NO_MATCHING_SUBSCRIBERS, publishQos2(c, "q/plain", false));
    }
    assertTrue(c.getState().isConnected());
  }

  private static Mqtt5PubRecReasonCode publishQos2(Mqtt5BlockingClient c, String topic,
      boolean retain) {
    try {
      Mqtt5PublishResult result = c.publish(Mqtt5Publish.builder().topic(topic)
          .qos(MqttQos.EXACTLY_ONCE).retain(retain).payload(new byte[] {1}).build());
      return ((Mqtt5PublishResult.Mqtt5Qos2Result) result).getPubRec().getReasonCode();
    } catch (Mqtt5PubRecException e) {
      return e.getMqttMessage().getReasonCode();
    }
  }

  private Mqtt5BlockingClient hiveV5(String id) {
    return hiveV5(id, new Inbox<>());
  }

  private Mqtt5BlockingClient hiveV5(String id, Inbox<String> inbox) {
    Mqtt5Client hive = Mqtt5Client.builder().identifier(id).serverHost(RunningBroker.HOST)
        .serverPort(sut.port()).build();
    hive.toAsync().publishes(MqttGlobalPublishFilter.ALL,
        p -> inbox.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
    Mqtt5BlockingClient c = hive.toBlocking();
    clients.add(c::disconnect);
    c.connect();
    return c;
  }

  // ---------------------------------------------------------------- queue bytes

  @Test
  @DisplayName("user properties count in mqtt.queue.max-bytes: an offline session's queue holds"
      + " as many messages as their payload, topic and properties fit, the newest kept")
  void userPropertiesCountInTheQueueByteBound() throws Exception {
    sut = RunningBroker.startTcp("mqtt.queue.max-bytes", "4000");
    MqttClient subscriber = v5("offline", 300, false);
    subscriber.subscribe("u/#", 1);
    subscriber.disconnect();
    MqttClient pub = v5("heavy", 0, true);

    // Exercise: 10 messages of 1-byte payloads, each with a 1000-byte user property (1013 bytes)
    for (int i = 0; i < 10; i++) {
      MqttProperties props = new MqttProperties();
      props.setUserProperties(List.of(new UserProperty("k", "v".repeat(998))));
      pub.publish("u/" + i, new MqttMessage(Integer.toString(i).getBytes(StandardCharsets.UTF_8),
          1, false, props));
    }

    // Verify: 3 x 1013 bytes fit in 4000, so the oldest 7 were dropped
    Inbox<String> inbox = new Inbox<>();
    v5("offline", 300, false, inbox);
    pub.publish("u/end", new MqttMessage("end".getBytes(StandardCharsets.UTF_8), 1, false, null));
    assertEquals(List.of("7", "8", "9", "end"), inbox.awaitMatching("end"::equals));
    assertEquals(7L, sut.broker().flowStats().dropped().get(DropReason.OFFLINE_QUEUE_FULL));
  }

  // ---------------------------------------------------------------- helpers

  private long refusals(QuotaCap cap) {
    Map<QuotaCap, Long> counts = sut.broker().quotaStats().refusals();
    return counts.getOrDefault(cap, 0L);
  }

  /** @return the payloads of the retained messages a new subscriber to the filter gets */
  private Set<String> retainedUnder(String filter) throws MqttException {
    Inbox<String> inbox = new Inbox<>();
    MqttClient c = v5("reader-" + readers++, 0, true, inbox);
    c.subscribe(filter, 1);
    // Retained messages follow the SUBACK on the same lane, so a marker published now comes last
    c.subscribe("marker/" + readers, 1);
    c.publish("marker/" + readers, new MqttMessage("marker".getBytes(StandardCharsets.UTF_8),
        1, false, null));
    List<String> got = new ArrayList<>(inbox.awaitMatching("marker"::equals));
    got.remove("marker");
    c.disconnect();
    Set<String> distinct = new HashSet<>(got);
    assertEquals(got.size(), distinct.size(), "each retained message once: " + got);
    return distinct;
  }

  /** Publishes with RETAIN set and returns the PUBACK or PUBREC reason code. */
  private static int publish(MqttAsyncClient pub, String topic, String payload, int qos)
      throws MqttException {
    IMqttToken token = pub.publish(topic, new MqttMessage(payload.getBytes(StandardCharsets.UTF_8),
        qos, true, null));
    try {
      token.waitForCompletion(Inbox.TIMEOUT.toMillis());
    } catch (MqttException e) {
      return e.getReasonCode();
    }
    int[] codes = token.getReasonCodes();
    return codes == null || codes.length == 0 ? 0 : codes[0];
  }

  private MqttAsyncClient v5Async(String id) throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(sut.uri(), id, new MemoryPersistence());
    clients.add(() -> {
      if (client.isConnected()) {
        client.disconnect(1000).waitForCompletion(1000);
      }
      client.close(true);
    });
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    client.connect(options).waitForCompletion(Inbox.TIMEOUT.toMillis());
    return client;
  }

  private MqttClient v5(String id, long expiry, boolean cleanStart) throws MqttException {
    return v5(id, expiry, cleanStart, new Inbox<>());
  }

  private MqttClient v5(String id, long expiry, boolean cleanStart, Inbox<String> inbox)
      throws MqttException {
    MqttClient client = new MqttClient(sut.uri(), id, new MemoryPersistence());
    client.setTimeToWait(Inbox.TIMEOUT.toMillis());
    client.setCallback(new PahoV5Arrivals((topic, message) ->
        inbox.add(new String(message.getPayload(), StandardCharsets.UTF_8))));
    clients.add(() -> {
      if (client.isConnected()) {
        client.disconnect(1000);
      }
      client.close(true);
    });
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(cleanStart);
    options.setSessionExpiryInterval(expiry);
    options.setAutomaticReconnect(false);
    lastSessionPresent = client.connectWithResult(options).getSessionPresent();
    return client;
  }

  private org.eclipse.paho.client.mqttv3.MqttClient v3(String id, boolean cleanSession)
      throws org.eclipse.paho.client.mqttv3.MqttException {
    var client = new org.eclipse.paho.client.mqttv3.MqttClient(sut.uri(), id,
        new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
    clients.add(() -> {
      if (client.isConnected()) {
        client.disconnect(1000);
      }
      client.close(true);
    });
    var options = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
    options.setCleanSession(cleanSession);
    options.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
    client.connect(options);
    return client;
  }
}
