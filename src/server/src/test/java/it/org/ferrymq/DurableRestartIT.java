package it.org.ferrymq;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.remote.JMXConnector;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.ferrymq.persistence.mvstore.OnlineExactlyOnceRound;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 6 on a real Liberty server: what each persistence mode keeps across a clean restart
 * ({@code none}, {@code queued}) and across {@code kill -9} with publishers mid-stream
 * ({@code persistent}).
 *
 * <p>Arquillian's server cannot restart within the suite, so this drives a second server
 * ({@link DurableServer}) that each test starts with its mode ({@code MQTT_PERSISTENCE}) and
 * its own data directory ({@code MQTT_PERSISTENCE_DIR}). A persistent session (clean session
 * false) subscribes to {@code durable/#} at QoS 2 and goes offline; a publisher sends QoS 1 and
 * QoS 2 messages in turn and one retained message; the server restarts; the session comes back
 * and gets what the mode promises. The persistent test also counts acknowledgements of two
 * streaming publishers (QoS 1 and QoS 2) until SIGKILL and checks that every acknowledged message
 * arrives after the restart, QoS 2 once; the report goes to {@code
 * <build dir>/durable-crash-report.txt}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DurableRestartIT {

  private static final String SUBSCRIBER = "durable-subscriber";
  private static final int MESSAGES = 200;
  private static final String RETAINED_TOPIC = "status/durable";
  private static final int STREAM_ACKS_BEFORE_KILL = 2_000;
  private static final Duration STREAM_LIMIT = Duration.ofSeconds(30);
  private static final Duration QUIET = Duration.ofMillis(1_500);

  private static DurableServer server;

  @BeforeAll
  static void createServer() throws IOException {
    server = DurableServer.create();
  }

  @AfterAll
  static void removeServer() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Order(1)
  void noneForgetsEverythingOnRestart() throws Exception {
    Subscriber subscriber = afterCleanRestart("none");
    try {
      assertFalse(subscriber.sessionPresent, "mode none kept the session");
      publish("durable/after-restart", 1, "after");
      subscriber.awaitQuiet();
      assertEquals(List.of(), subscriber.payloads(), "mode none delivered something");
      assertEquals(List.of(), retained(), "mode none kept the retained message");
    } finally {
      subscriber.close();
    }
  }

  @Test
  @Order(2)
  void queuedKeepsEverythingAcrossACleanRestart() throws Exception {
    Subscriber subscriber = afterCleanRestart("queued");
    try {
      assertTrue(subscriber.sessionPresent, "mode queued lost the session");
      subscriber.awaitCount(MESSAGES);
      subscriber.awaitQuiet();
      assertPublishedBeforeRestartArrivedInOrderOnce(subscriber);
      assertQosKept(subscriber);
      assertSubscriptionAndRetainedSurvived(subscriber);
    } finally {
      subscriber.close();
    }
  }

  @Test
  @Order(3)
  void persistentKeepsEveryAcknowledgedMessageThroughKillNine() throws Exception {
    Path data = startPrepared("persistent");

    Stream qos1 = new Stream(server.mqttUri(), "durable/stream1", 1, 100);
    Stream qos2 = new Stream(server.mqttUri(), "durable/stream2", 2, 50);
    qos1.start();
    qos2.start();
    // Both publishers mid-stream: QoS 2 needs two round trips and a sync, so it is slower.
    long deadline = System.nanoTime() + STREAM_LIMIT.toNanos();
    while ((qos1.acknowledged.size() < STREAM_ACKS_BEFORE_KILL
        || qos2.acknowledged.size() < STREAM_ACKS_BEFORE_KILL / 10)
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(qos1.isRunning() && qos2.isRunning(), "a publisher stopped before the kill");
    server.kill();
    qos1.awaitLost();
    qos2.awaitLost();
    Set<Integer> acked1 = new TreeSet<>(qos1.acknowledged);
    Set<Integer> acked2 = new TreeSet<>(qos2.acknowledged);
    qos1.close();
    qos2.close();
    assertFalse(acked1.isEmpty(), "no QoS 1 acknowledgement before the kill");
    assertFalse(acked2.isEmpty(), "no QoS 2 acknowledgement before the kill");

    start("persistent", data);
    Subscriber subscriber = Subscriber.resume(server.mqttUri());
    try {
      assertTrue(subscriber.sessionPresent, "mode persistent lost the session");
      await("every acknowledged message after the restart").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> subscriber.streamIndexes("stream1-").containsAll(acked1)
              && subscriber.streamIndexes("stream2-").containsAll(acked2));
      subscriber.awaitQuiet();

      List<Integer> delivered1 = subscriber.streamSequence("stream1-");
      List<Integer> delivered2 = subscriber.streamSequence("stream2-");
      long lost1 = acked1.stream().filter(i -> !delivered1.contains(i)).count();
      long lost2 = acked2.stream().filter(i -> !delivered2.contains(i)).count();
      long duplicates1 = delivered1.size() - new TreeSet<>(delivered1).size();
      long duplicates2 = delivered2.size() - new TreeSet<>(delivered2).size();
      String report = String.format("Liberty kill -9 crash report (mode persistent, mvstore): "
          + "QoS 1 acknowledged before kill %d, delivered after restart %d (distinct %d), "
          + "lost=%d, duplicates %d; QoS 2 acknowledged (PUBCOMP) before kill %d, delivered "
          + "after restart %d, lost=%d, duplicates %d", acked1.size(), delivered1.size(),
          new TreeSet<>(delivered1).size(), lost1, duplicates1, acked2.size(),
          delivered2.size(), lost2, duplicates2);
      System.out.println(report);
      Path buildDir = Path.of(System.getProperty("wlp.home")).getParent().getParent();
      Files.writeString(buildDir.resolve("durable-crash-report.txt"), report + "\n");

      assertPublishedBeforeRestartArrivedInOrderOnce(subscriber);
      assertEquals(0, lost1, report);
      assertEquals(0, lost2, report);
      assertEquals(0, duplicates2, "QoS 2 delivered more than once: " + report);
      assertTrue(isIncreasing(delivered1) && isIncreasing(delivered2),
          "stream order changed: " + report);
      assertQosKept(subscriber);
      assertSubscriptionAndRetainedSurvived(subscriber);
    } finally {
      subscriber.close();
    }
  }

  /**
   * Issue 14 on Liberty: QoS 2 in flight in both directions (a Paho v3 publisher with 50 in
   * flight and an online Paho v3 subscriber, persistent sessions) when the server gets SIGKILL
   * at a random point; after the restart on the same store both reconnect and every message
   * arrives exactly once [MQTT-4.3.3-10] [MQTT-4.4.0-1]. The round is the engine crash test's
   * ({@link OnlineExactlyOnceRound}) with the whole server as the broker.
   */
  @Test
  @Order(4)
  void persistentDeliversQos2ExactlyOnceToAnOnlineSubscriberThroughKillNine() throws Exception {
    server.kill();
    Path data = start("persistent");
    int messages = 1_000;
    int killAfter = 200 + java.util.concurrent.ThreadLocalRandom.current().nextInt(600);
    List<AutoCloseable> open = new ArrayList<>();
    try {
      String report = OnlineExactlyOnceRound.run("liberty-" + UUID.randomUUID(),
          new OnlineExactlyOnceRound.Broker() {
            @Override
            public String uri() {
              return server.mqttUri();
            }

            @Override
            public void kill9() throws Exception {
              server.kill();
            }

            @Override
            public String restart() throws Exception {
              start("persistent", data);
              return server.mqttUri();
            }
          }, messages, killAfter, open);
      System.out.println("Liberty online QoS 2 kill -9: " + report);
    } finally {
      for (AutoCloseable c : open) {
        c.close();
      }
    }
  }

  /**
   * Issue 18: a ban added through the admin API is kept in the data directory and still refuses
   * the client after a restart (MQTT 3.1.1 has no Banned code: return code 5, not authorized
   * [MQTT-3.2.2-5]); lifting it is kept too.
   */
  @Test
  @Order(5)
  void bansSurviveARestart() throws Exception {
    server.kill();
    Path data = start("none");
    String banned = "durable-banned-" + UUID.randomUUID();
    assertEquals(201, admin("POST", "/api/bans",
        "{\"kind\":\"clientId\",\"value\":\"" + banned + "\",\"reason\":\"restart test\"}")
        .statusCode());
    assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, refusal(banned));

    server.stop();
    start("none", data);
    assertTrue(admin("GET", "/api/bans", null).body().contains(banned),
        "the ban list after the restart");
    assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, refusal(banned),
        "the ban refuses the client after the restart");

    assertEquals(200, admin("DELETE", "/api/bans/clientId/" + banned, null).statusCode());
    server.stop();
    start("none", data);
    MqttClient back = new MqttClient(server.mqttUri(), banned, new MemoryPersistence());
    back.connect(options(true));
    Clients.close(back);
  }

  private static int refusal(String clientId) throws MqttException {
    MqttClient client = new MqttClient(server.mqttUri(), clientId, new MemoryPersistence());
    try {
      client.connect(options(true));
      Clients.close(client);
      return 0;
    } catch (MqttException e) {
      return e.getReasonCode();
    } finally {
      client.close();
    }
  }

  private static java.net.http.HttpResponse<String> admin(String method, String path,
      String json) throws IOException, InterruptedException {
    java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://localhost:" + server.httpPort() + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
            "admin:it-admin-secret".getBytes(StandardCharsets.UTF_8)))
        .method(method, json == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
            : java.net.http.HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    return java.net.http.HttpClient.newHttpClient().send(request.build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Issue 17: the example message-driven bean (QoS 1) is a persistent session. Messages
   * published while its application is stopped, each acknowledged to the publisher, reach the
   * bean after SIGKILL and a restart on the same store, the application starting with the
   * server.
   */
  @Test
  @Order(6)
  void persistentKeepsAStoppedBeansMessagesThroughKillNine() throws Exception {
    server.kill();
    Path data = start("persistent");
    await("the example application").atMost(Duration.ofSeconds(60))
        .until(() -> server.httpGet("/example/messages").isPresent());
    String marker = "bean-restart-" + UUID.randomUUID();
    List<String> published = new ArrayList<>();
    try (JMXConnector jmx = LocalJmx.connect(server.serverDirectory())) {
      LocalJmx.stopApplication(jmx.getMBeanServerConnection(), "ferrymq-example");
      for (int i = 0; i < 20; i++) {
        published.add(marker + "-" + i);
        publish("example/durable/" + i, 1 + i % 2, marker + "-" + i);
      }
    }

    // Exercise
    server.kill();
    start("persistent", data);

    // Verify
    await("every acknowledged message at the bean").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> {
          String received = server.httpGet("/example/messages").orElse("");
          return published.stream().allMatch(p -> received.contains("\"" + p + "\""));
        });
  }

  /**
   * The offline session of {@link #startPrepared}, a clean stop, a start on the same data.
   *
   * @return the session, reconnected
   */
  private static Subscriber afterCleanRestart(String mode) throws Exception {
    Path data = startPrepared(mode);
    server.stop();
    start(mode, data);
    return Subscriber.resume(server.mqttUri());
  }

  /**
   * Ends the previous test's server (SIGKILL: its state no longer matters), starts this mode on
   * a new data directory and prepares the offline session.
   *
   * @return the data directory
   */
  private static Path startPrepared(String mode) throws Exception {
    server.kill();
    Path data = start(mode);
    prepareOfflineSession();
    return data;
  }

  /** Starts the second server in this mode on a new data directory. */
  private static Path start(String mode) throws IOException, InterruptedException {
    Path data = server.newDirectory("data-" + mode + "-");
    start(mode, data);
    return data;
  }

  private static void start(String mode, Path data) throws IOException, InterruptedException {
    Map<String, String> env = new HashMap<>();
    env.put("MQTT_PERSISTENCE", mode);
    env.put("MQTT_PERSISTENCE_DIR", data.toString());
    // The stream of the persistent test queues thousands of messages for the offline session.
    env.put("MQTT_QUEUE_MAX_MESSAGES", "100000");
    String ready = server.start(env);
    assertTrue(ready.contains("\"persistence.mode\":\"" + mode + "\""),
        "readiness does not report mode " + mode + ": " + ready);
  }

  /** The persistent session subscribes and leaves; QoS 1 and 2 messages and a retained one. */
  private static void prepareOfflineSession() throws MqttException {
    MqttClient subscriber = new MqttClient(server.mqttUri(), SUBSCRIBER, new MemoryPersistence());
    subscriber.connect(options(false));
    subscriber.subscribe("durable/#", 2);
    subscriber.disconnect(5_000);
    subscriber.close();

    // Paho counts a publish as in flight until its callback thread ran, which lags behind the
    // completion a synchronous publish waits for on a busy machine: allow more than 10.
    MqttClient publisher = new MqttClient(server.mqttUri(), "durable-publisher",
        new MemoryPersistence());
    publisher.connect(options(true));
    try {
      MqttMessage retained = new MqttMessage("kept".getBytes(StandardCharsets.UTF_8));
      retained.setQos(1);
      retained.setRetained(true);
      publisher.publish(RETAINED_TOPIC, retained);
      for (int i = 0; i < MESSAGES; i++) {
        MqttMessage message = new MqttMessage(("m-" + i).getBytes(StandardCharsets.UTF_8));
        message.setQos(i % 2 == 0 ? 1 : 2);
        publisher.publish("durable/q" + message.getQos(), message);
      }
    } finally {
      Clients.close(publisher);
    }
  }

  /**
   * MQTT orders messages per topic and QoS (3.1.1 section 4.6), and Paho hands a QoS 2
   * message to the application only at PUBREL, so the two topics interleave freely: each topic
   * must be complete, in publishing order and without duplicates.
   */
  private static void assertPublishedBeforeRestartArrivedInOrderOnce(Subscriber subscriber) {
    for (int qos = 1; qos <= 2; qos++) {
      List<String> expected = new ArrayList<>();
      for (int i = qos - 1; i < MESSAGES; i += 2) {
        expected.add("m-" + i);
      }
      String topic = "durable/q" + qos;
      assertEquals(expected, subscriber.received.stream().filter(r -> r.topic.equals(topic))
          .map(Received::payload).toList(), "every message published to " + topic
          + " before the restart, in order, once");
    }
  }

  private static void assertQosKept(Subscriber subscriber) {
    for (Received r : subscriber.received) {
      if (r.topic.equals("durable/q1") || r.topic.equals("durable/stream1")) {
        assertEquals(1, r.qos, r.topic + " " + r.payload);
      } else if (r.topic.equals("durable/q2") || r.topic.equals("durable/stream2")) {
        assertEquals(2, r.qos, r.topic + " " + r.payload);
      }
    }
  }

  /** The subscription came back without SUBSCRIBE, and the retained message is still there. */
  private static void assertSubscriptionAndRetainedSurvived(Subscriber subscriber)
      throws Exception {
    publish("durable/after-restart", 1, "after");
    await("a message on the restored subscription").atMost(Duration.ofSeconds(20))
        .until(() -> subscriber.payloads().contains("after"));
    assertEquals(List.of("kept"), retained());
  }

  private static void publish(String topic, int qos, String payload) throws MqttException {
    MqttClient publisher = Clients.connect(server.mqttUri(), null);
    try {
      publisher.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false);
    } finally {
      Clients.close(publisher);
    }
  }

  /** @return what a new subscriber to the retained topic gets */
  private static List<String> retained() throws Exception {
    MqttClient client = Clients.connect(server.mqttUri(), null);
    try {
      BlockingQueue<MqttMessage> messages = Clients.subscribe(client, RETAINED_TOPIC, 1);
      MqttMessage first = messages.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS);
      return first == null ? List.of()
          : List.of(new String(first.getPayload(), StandardCharsets.UTF_8));
    } finally {
      Clients.close(client);
    }
  }

  private static MqttConnectOptions options(boolean cleanSession) {
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(cleanSession);
    options.setConnectionTimeout(10);
    options.setKeepAliveInterval(30);
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setMaxInflight(1_000);
    return options;
  }

  private static boolean isIncreasing(List<Integer> values) {
    for (int i = 1; i < values.size(); i++) {
      if (values.get(i) <= values.get(i - 1)) {
        return false;
      }
    }
    return true;
  }

  private record Received(String topic, int qos, String payload) {
  }

  /** The persistent session coming back after the restart, recording what it receives. */
  private static final class Subscriber implements MqttCallback {
    final List<Received> received = new CopyOnWriteArrayList<>();
    final MqttClient client;
    boolean sessionPresent;
    volatile long lastArrival = System.nanoTime();

    private Subscriber(MqttClient client) {
      this.client = client;
    }

    static Subscriber resume(String uri) throws MqttException {
      MqttClient client = new MqttClient(uri, SUBSCRIBER, new MemoryPersistence());
      Subscriber subscriber = new Subscriber(client);
      client.setCallback(subscriber);
      subscriber.sessionPresent = client.connectWithResult(options(false)).getSessionPresent();
      return subscriber;
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      received.add(new Received(topic, message.getQos(),
          new String(message.getPayload(), StandardCharsets.UTF_8)));
      lastArrival = System.nanoTime();
    }

    @Override
    public void connectionLost(Throwable cause) {
      // The assertions notice missing messages.
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
      // Receives only.
    }

    List<String> payloads() {
      return received.stream().map(Received::payload).toList();
    }

    List<Integer> streamSequence(String prefix) {
      return received.stream().map(Received::payload).filter(p -> p.startsWith(prefix))
          .map(p -> Integer.parseInt(p.substring(prefix.length()))).toList();
    }

    Set<Integer> streamIndexes(String prefix) {
      return new TreeSet<>(streamSequence(prefix));
    }

    void awaitCount(int count) {
      await("at least " + count + " messages").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100)).until(() -> received.size() >= count);
    }

    /** Waits until nothing has arrived for a while, so duplicates would have shown. */
    void awaitQuiet() {
      lastArrival = Math.max(lastArrival, System.nanoTime());
      await("no more messages").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> System.nanoTime() - lastArrival > QUIET.toNanos());
    }

    void close() throws MqttException {
      Clients.close(client);
    }
  }

  /**
   * A publisher that keeps up to {@code window} messages in flight on one topic and records
   * which were acknowledged (PUBACK, or PUBCOMP for QoS 2), until its connection is lost.
   */
  private static final class Stream implements IMqttActionListener {
    final Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
    private final MqttAsyncClient client;
    private final String topic;
    private final int qos;
    private final Semaphore window;
    private final String prefix;
    private final AtomicBoolean running = new AtomicBoolean();
    private final CountDownLatch lost = new CountDownLatch(1);
    private Thread thread;

    Stream(String uri, String topic, int qos, int window) throws MqttException {
      this.client = new MqttAsyncClient(uri, "durable-stream-" + qos + "-"
          + UUID.randomUUID().toString().substring(0, 8), new MemoryPersistence());
      this.topic = topic;
      this.qos = qos;
      this.window = new Semaphore(window);
      this.prefix = topic.substring(topic.indexOf('/') + 1) + "-";
    }

    void start() throws MqttException {
      client.setCallback(new MqttCallback() {
        @Override
        public void connectionLost(Throwable cause) {
          running.set(false);
          lost.countDown();
        }

        @Override
        public void messageArrived(String t, MqttMessage message) {
          // Publishes only.
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
          // Counted by the per-message listener.
        }
      });
      client.connect(options(true)).waitForCompletion(10_000);
      running.set(true);
      thread = new Thread(this::publishUntilLost, "durable-" + prefix + "publisher");
      thread.setDaemon(true);
      thread.start();
    }

    private void publishUntilLost() {
      for (int i = 0; running.get(); i++) {
        try {
          while (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            if (!running.get()) {
              return;
            }
          }
          MqttMessage message = new MqttMessage((prefix + i).getBytes(StandardCharsets.UTF_8));
          message.setQos(qos);
          client.publish(topic, message, i, this);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (MqttException e) {
          // The server went away mid-publish: the test killed it.
          window.release();
          running.set(false);
          lost.countDown();
          return;
        }
      }
    }

    @Override
    public void onSuccess(IMqttToken token) {
      acknowledged.add((Integer) token.getUserContext());
      window.release();
    }

    @Override
    public void onFailure(IMqttToken token, Throwable cause) {
      window.release();
    }

    boolean isRunning() {
      return running.get();
    }

    void awaitLost() throws InterruptedException {
      assertTrue(lost.await(30, TimeUnit.SECONDS), "the publisher did not notice the kill");
      thread.join(10_000);
    }

    void close() throws MqttException {
      client.close(true);
    }
  }
}
