package org.ferrymq.clients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.ferrymq.packet.ProtocolVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Eclipse Paho Java v5 client against the engine behind the Netty TCP listener. */
class PahoV5ClientTest {

  /** One message as the Paho callback saw it, with the MQTT 5 properties tests look at. */
  record Received(String topic, String payload, int qos, boolean retained, String contentType,
      String responseTopic, String correlationData, List<String> userProperties) {

    static Received of(String topic, MqttMessage m) {
      MqttProperties p = m.getProperties();
      List<String> user = new ArrayList<>();
      if (p != null && p.getUserProperties() != null) {
        for (UserProperty u : p.getUserProperties()) {
          user.add(u.getKey() + "=" + u.getValue());
        }
      }
      return new Received(topic, utf8(m.getPayload()), m.getQos(), m.isRetained(),
          p == null ? null : p.getContentType(), p == null ? null : p.getResponseTopic(),
          p == null || p.getCorrelationData() == null ? null : utf8(p.getCorrelationData()),
          user);
    }

    /** @return a received message without properties */
    static Received plain(String topic, String payload, int qos, boolean retained) {
      return new Received(topic, payload, qos, retained, null, null, null, List.of());
    }
  }

  @RegisterExtension
  static final RunningBroker sut = RunningBroker.tcp();

  @RegisterExtension
  final OpenClients clients = new OpenClients();

  @Test
  void publishesAndDeliversAtEachQosWithProperties() throws MqttException {
    Inbox<Received> inbox = new Inbox<>();
    MqttClient subscriber = connect("v5-sub-qos", inbox, o -> { });
    MqttClient publisher = connect("v5-pub-qos", new Inbox<>(), o -> { });
    for (int qos = 0; qos <= 2; qos++) {
      IMqttToken granted = subscriber.subscribe("v5/qos/" + qos, qos);
      assertArrayEquals(new int[] {qos}, granted.getReasonCodes());
    }

    // Exercise
    for (int qos = 0; qos <= 2; qos++) {
      for (int i = 0; i < 3; i++) {
        MqttMessage m = message("q" + qos + "-" + i, qos, false);
        m.getProperties().setContentType("text/plain; qos=" + qos);
        m.getProperties().setUserProperties(
            List.of(new UserProperty("seq", Integer.toString(i)), new UserProperty("seq", "x")));
        publisher.publish("v5/qos/" + qos, m);
      }
    }

    // Verify
    List<Received> received = inbox.awaitCount(9);
    for (int qos = 0; qos <= 2; qos++) {
      String topic = "v5/qos/" + qos;
      List<Received> expected = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        expected.add(new Received(topic, "q" + qos + "-" + i, qos, false,
            "text/plain; qos=" + qos, null, null, List.of("seq=" + i, "seq=x")));
      }
      assertEquals(expected, received.stream().filter(r -> r.topic().equals(topic)).toList());
    }
    assertEquals(9, received.size(), () -> "unexpected extra deliveries: " + received);
    assertEquals(ProtocolVersion.MQTT_5,
        sut.tap().connectionsOf("v5-sub-qos").get(0).connect().orElseThrow().version());
  }

  @Test
  void deliversThreeHundredQos2MessagesExactlyOnceAndInOrder() throws MqttException {
    Inbox<Received> inbox = new Inbox<>();
    MqttClient subscriber = connect("v5-sub-300", inbox, o -> { });
    MqttClient publisher = connect("v5-pub-300", new Inbox<>(), o -> { });
    subscriber.subscribe("v5/ordered", 2);

    // Exercise
    for (int i = 0; i < 300; i++) {
      publisher.publish("v5/ordered", message(Integer.toString(i), 2, false));
    }
    publisher.publish("v5/ordered", message("end", 2, false));

    // Verify
    List<Received> received = inbox.awaitMatching(r -> r.payload().equals("end"));
    List<String> expected = new ArrayList<>(
        IntStream.range(0, 300).mapToObj(Integer::toString).toList());
    expected.add("end");
    assertEquals(expected, received.stream().map(Received::payload).toList());
    assertTrue(received.stream().allMatch(r -> r.qos() == 2));
  }

  @Test
  void storesReplacesAndClearsRetainedMessages() throws MqttException {
    String topic = "v5/retained";
    MqttClient publisher = connect("v5-pub-ret", new Inbox<>(), o -> { });
    publisher.publish(topic, message("first", 1, true));
    MqttMessage second = message("second", 2, true);
    second.getProperties().setContentType("text/plain");
    publisher.publish(topic, second);

    // Exercise: a late subscriber gets the latest retained message, flagged, with its properties
    Inbox<Received> late = new Inbox<>();
    connect("v5-late-ret", late, o -> { }).subscribe(topic, 2);
    assertEquals(List.of(new Received(topic, "second", 2, true, "text/plain", null, null,
        List.of())), late.awaitCount(1));

    // An empty retained payload clears the topic
    publisher.publish(topic, message("", 1, true));
    Inbox<Received> later = new Inbox<>();
    connect("v5-later-ret", later, o -> { }).subscribe(topic, 1);
    publisher.publish(topic, message("marker", 1, false));

    // Verify
    assertEquals(List.of(Received.plain(topic, "marker", 1, false)),
        later.awaitMatching(r -> r.payload().equals("marker")));
  }

  @Test
  void publishesTheWillWithItsPropertiesWhenTheConnectionDropsWithoutDisconnect()
      throws Exception {
    String willTopic = "v5/will/abrupt";
    Inbox<Received> watcher = new Inbox<>();
    connect("v5-watch-will", watcher, o -> { }).subscribe(willTopic, 2);
    KillableSocketFactory network = new KillableSocketFactory();
    MqttMessage will = message("v5 victim is gone", 2, false);
    MqttProperties willProperties = new MqttProperties();
    willProperties.setContentType("text/x-obituary");
    willProperties.setUserProperties(List.of(new UserProperty("cause", "network")));
    connect("v5-victim", new Inbox<>(), o -> {
      o.setSocketFactory(network);
      o.setWill(willTopic, will);
      o.setWillMessageProperties(willProperties);
    });

    // Exercise: the socket is closed under the client (FIN), no DISCONNECT is sent
    network.kill(false);

    // Verify
    assertEquals(List.of(new Received(willTopic, "v5 victim is gone", 2, false,
        "text/x-obituary", null, null, List.of("cause=network"))), watcher.awaitCount(1));
  }

  @Test
  void doesNotPublishTheWillOnNormalDisconnect() throws MqttException {
    String willTopic = "v5/will/normal";
    Inbox<Received> watcher = new Inbox<>();
    MqttClient watch = connect("v5-watch-nowill", watcher, o -> { });
    watch.subscribe(willTopic, 1);
    MqttClient polite = connect("v5-polite", new Inbox<>(),
        o -> o.setWill(willTopic, message("must not appear", 1, false)));

    // Exercise
    polite.disconnect(5000);
    Inbox.waiting().until(() -> !sut.isConnected("v5-polite"));
    watch.publish(willTopic, message("marker", 1, false));

    // Verify
    assertEquals(List.of(Received.plain(willTopic, "marker", 1, false)),
        watcher.awaitMatching(r -> r.payload().equals("marker")));
  }

  @Test
  void resumesASessionThatHasNotExpired() throws MqttException {
    String topic = "v5/persistent";
    String clientId = "v5-persist";
    Consumer<MqttConnectionOptions> resumable = o -> {
      o.setCleanStart(false);
      o.setSessionExpiryInterval(300L);
    };
    MqttClient durable = connect(clientId, new Inbox<>(), o -> {
      o.setCleanStart(true);
      o.setSessionExpiryInterval(300L);
    });
    durable.subscribe(topic, 2);
    durable.disconnect(5000);
    Inbox.waiting().until(() -> !sut.isConnected(clientId));
    MqttClient publisher = connect("v5-pub-persist", new Inbox<>(), o -> { });
    for (int i = 0; i < 5; i++) {
      publisher.publish(topic, message("q1-" + i, 1, false));
      publisher.publish(topic, message("q2-" + i, 2, false));
    }

    // Exercise
    Inbox<Received> inbox = new Inbox<>();
    MqttClient resumed = client(clientId, inbox);
    MqttConnectionOptions options = options();
    resumable.accept(options);
    IMqttToken connected = resumed.connectWithResult(options);
    inbox.awaitCount(10);
    publisher.publish(topic, message("after-resume", 2, false));

    // Verify
    assertTrue(connected.getSessionPresent());
    assertEquals(PahoV3ClientTest.INTERLEAVED_ON_THE_WIRE,
        sut.tap().connectionsOf(clientId).get(1).reliableDeliveries().subList(0, 10),
        "queued messages leave the broker in the order it received them [MQTT-4.6.0-6]");
    // Paho hands QoS 2 messages to the application only on PUBREL, so compare per QoS level
    List<Received> all = inbox.awaitMatching(r -> r.payload().equals("after-resume"));
    assertEquals(List.of("q1-0", "q1-1", "q1-2", "q1-3", "q1-4"),
        payloadsAtQos(all, 1));
    assertEquals(List.of("q2-0", "q2-1", "q2-2", "q2-3", "q2-4", "after-resume"),
        payloadsAtQos(all, 2),
        "QoS 2: each exactly once, in order");
    assertEquals(11, all.size(), () -> "no other deliveries: " + all);
  }

  @Test
  void startsAfreshWhenTheSessionExpiredOnDisconnect() throws MqttException {
    String clientId = "v5-expire";
    MqttClient shortLived = connect(clientId, new Inbox<>(), o -> {
      o.setCleanStart(true);
      o.setSessionExpiryInterval(0L);
    });
    shortLived.subscribe("v5/expired", 1);
    shortLived.disconnect(5000);
    Inbox.waiting().until(() -> !sut.hasSession(clientId));
    connect("v5-pub-expire", new Inbox<>(), o -> { })
        .publish("v5/expired", message("nobody listens", 1, false));

    // Exercise
    Inbox<Received> inbox = new Inbox<>();
    MqttClient again = client(clientId, inbox);
    MqttConnectionOptions options = options();
    options.setCleanStart(false);
    IMqttToken connected = again.connectWithResult(options);
    again.subscribe("v5/expired/marker", 1);
    again.publish("v5/expired/marker", message("marker", 1, false));

    // Verify
    assertFalse(connected.getSessionPresent());
    assertEquals(List.of(Received.plain("v5/expired/marker", "marker", 1, false)),
        inbox.awaitMatching(r -> r.payload().equals("marker")));
  }

  @Test
  void splitsASharedSubscriptionSoEachMessageReachesExactlyOneMember() throws MqttException {
    Inbox<Received> first = new Inbox<>();
    Inbox<Received> second = new Inbox<>();
    Inbox<Received> everyone = new Inbox<>();
    connect("v5-worker-1", first, o -> { }).subscribe("$share/workers/v5/jobs/+", 1);
    connect("v5-worker-2", second, o -> { }).subscribe("$share/workers/v5/jobs/+", 1);
    connect("v5-monitor", everyone, o -> { }).subscribe("v5/jobs/+", 1);
    MqttClient publisher = connect("v5-pub-jobs", new Inbox<>(), o -> { });

    // Exercise
    for (int i = 0; i < 100; i++) {
      publisher.publish("v5/jobs/" + (i % 3), message("job-" + i, 1, false));
    }

    // Verify: the monitor sees all 100; the group sees each exactly once across its members
    List<Received> all = everyone.awaitCount(100);
    Inbox.waiting().until(() -> first.snapshot().size() + second.snapshot().size() >= 100);
    publisher.publish("v5/jobs/end", message("end", 1, false));
    everyone.awaitMatching(r -> r.payload().equals("end"));
    Inbox.waiting().until(() -> first.snapshot().size() + second.snapshot().size() >= 101);
    List<String> one = first.snapshot().stream().map(Received::payload).toList();
    List<String> two = second.snapshot().stream().map(Received::payload).toList();
    assertEquals(101, one.size() + two.size(), () -> "deliveries: " + one + " / " + two);
    Set<String> union = new HashSet<>(one);
    union.addAll(two);
    Set<String> expected = new HashSet<>();
    IntStream.range(0, 100).forEach(i -> expected.add("job-" + i));
    expected.add("end");
    assertEquals(expected, union);
    assertFalse(one.isEmpty(), "both members get work");
    assertFalse(two.isEmpty(), "both members get work");
    assertEquals(100, all.stream().filter(r -> r.payload().startsWith("job-")).count());
  }

  @Test
  void passesResponseTopicCorrelationDataUserPropertiesAndContentTypeThrough()
      throws MqttException {
    ExecutorService replies = Executors.newSingleThreadExecutor();
    try {
      Inbox<Received> requests = new Inbox<>();
      MqttClient[] responder = new MqttClient[1];
      Consumer<Received> serve = request -> {
        requests.add(request);
        // Paho callbacks must not block on a publish, so the reply goes out from another thread
        replies.execute(() -> reply(responder[0], request));
      };
      responder[0] = connect("v5-responder", serve, o -> { });
      responder[0].subscribe("v5/service/time", 2);
      Inbox<Received> responses = new Inbox<>();
      MqttClient requester = connect("v5-requester", responses, o -> { });
      requester.subscribe("v5/replies/v5-requester", 1);

      // Exercise
      for (int i = 0; i < 3; i++) {
        MqttMessage request = message("{\"what\":\"time\",\"n\":" + i + "}", 2, false);
        MqttProperties p = request.getProperties();
        p.setResponseTopic("v5/replies/v5-requester");
        p.setCorrelationData(("request-" + i).getBytes(StandardCharsets.UTF_8));
        p.setContentType("application/json");
        p.setUserProperties(List.of(new UserProperty("trace", "t" + i),
            new UserProperty("tenant", "ferry"), new UserProperty("trace", "second")));
        requester.publish("v5/service/time", request);
      }

      // Verify: the responder saw the request properties unchanged
      List<Received> seen = requests.awaitCount(3);
      for (int i = 0; i < 3; i++) {
        assertEquals(new Received("v5/service/time", "{\"what\":\"time\",\"n\":" + i + "}", 2,
            false, "application/json", "v5/replies/v5-requester", "request-" + i,
            List.of("trace=t" + i, "tenant=ferry", "trace=second")), seen.get(i));
      }
      // and the requester got each reply with its correlation data
      List<Received> answers = responses.awaitCount(3);
      for (int i = 0; i < 3; i++) {
        assertEquals(new Received("v5/replies/v5-requester", "answer to request-" + i, 1, false,
            "text/plain", null, "request-" + i, List.of("answered-by=v5-responder")),
            answers.get(i));
      }
    } finally {
      replies.shutdownNow();
    }
  }

  private static void reply(MqttClient responder, Received request) {
    MqttMessage answer = message("answer to " + request.correlationData(), 1, false);
    MqttProperties p = answer.getProperties();
    p.setCorrelationData(request.correlationData().getBytes(StandardCharsets.UTF_8));
    p.setContentType("text/plain");
    p.setUserProperties(List.of(new UserProperty("answered-by", "v5-responder")));
    try {
      responder.publish(request.responseTopic(), answer);
    } catch (MqttException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> payloadsAtQos(List<Received> received, int qos) {
    return received.stream().filter(r -> r.qos() == qos).map(Received::payload).toList();
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static MqttMessage message(String payload, int qos, boolean retained) {
    MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    message.setQos(qos);
    message.setRetained(retained);
    message.setProperties(new MqttProperties());
    return message;
  }

  private static MqttConnectionOptions options() {
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    options.setAutomaticReconnect(false);
    options.setConnectionTimeout(10);
    options.setKeepAliveInterval(30);
    return options;
  }

  private MqttClient client(String clientId, Inbox<Received> inbox) throws MqttException {
    return client(clientId, (Consumer<Received>) inbox::add);
  }

  private MqttClient client(String clientId, Consumer<Received> sink) throws MqttException {
    MqttClient client = new MqttClient(sut.uri(), clientId, new MemoryPersistence());
    client.setTimeToWait(Inbox.TIMEOUT.toMillis());
    client.setCallback(new PahoV5Arrivals((topic, message) ->
        sink.accept(Received.of(topic, message))));
    clients.add(() -> {
      if (client.isConnected()) {
        client.disconnect(1000);
      }
      client.close(true);
    });
    return client;
  }

  private MqttClient connect(String clientId, Inbox<Received> inbox,
      Consumer<MqttConnectionOptions> customise) throws MqttException {
    return connect(clientId, (Consumer<Received>) inbox::add, customise);
  }

  private MqttClient connect(String clientId, Consumer<Received> sink,
      Consumer<MqttConnectionOptions> customise) throws MqttException {
    MqttClient client = client(clientId, sink);
    MqttConnectionOptions options = options();
    customise.accept(options);
    client.connect(options);
    return client;
  }
}
