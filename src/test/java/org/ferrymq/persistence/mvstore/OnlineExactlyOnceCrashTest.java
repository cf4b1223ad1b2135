package org.ferrymq.persistence.mvstore;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a {@code persistent} broker while an ONLINE QoS 2 subscriber and a QoS 2 publisher
 * are mid-flow in both directions: after the restart and reconnect every message arrives exactly
 * once. The kill point is random (seeded, printed) over a run of {@code ferrymq.crash.messages}
 * messages (default 2 000), repeated {@code ferrymq.crash.rounds} times (default 3). The longer
 * variant: {@code -Dferrymq.crash.rounds=20 -Dferrymq.crash.messages=10000}.
 */
class OnlineExactlyOnceCrashTest {
  private static final String TOPIC = "online/q2";
  private static final String END = "end";

  @TempDir
  Path dir;

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  @Test
  @DisplayName("[MQTT-4.3.3-10] [MQTT-4.4.0-1] Paho v3 QoS 2 publisher and Paho v3 QoS 2"
      + " subscriber, both online with persistent sessions, broker killed at a random point:"
      + " every message reaches the subscriber exactly once")
  void pahoStreamsGetEveryMessageExactlyOnceAcrossKill9() throws Exception {
    int rounds = Integer.getInteger("ferrymq.crash.rounds", 3);
    int messages = Integer.getInteger("ferrymq.crash.messages", 2_000);
    long seed = Long.getLong("ferrymq.crash.seed", System.nanoTime());
    Random random = new Random(seed);
    List<String> reports = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      int killAfter = messages / 10 + random.nextInt(messages * 8 / 10);
      reports.add(runRound(round, messages, killAfter));
    }
    String report = "online QoS 2 kill -9 test (persistent, MVStore, seed " + seed + "):\n"
        + String.join("\n", reports);
    System.out.println(report);
    Path results = Path.of(System.getProperty("user.dir"), System.getProperty("build.dir",
        "target"), "online-exactly-once-crash-test.txt");
    Files.createDirectories(results.getParent());
    Files.writeString(results, report + System.lineSeparator());
  }

  private String runRound(int round, int messages, int killAfter) throws Exception {
    Path roundDir = Files.createDirectories(dir.resolve("round-" + round));
    CrashBrokers brokers = new CrashBrokers(roundDir);
    open.add(brokers);
    CrashBrokers.Child first = brokers.start();
    long started = System.nanoTime();

    // Paho v3 on both sides. It hands a QoS 2 message to the application at PUBREL, so a
    // PUBLISH resent with DUP is not delivered twice; Paho v5 1.2.5 hands over every PUBLISH it
    // receives, DUP or not (no exactly-once subscriber), and as a publisher failed every message
    // in flight at the crash instead of resending it after reconnecting
    Map<String, Integer> received = new ConcurrentHashMap<>();
    MqttAsyncClient subscriber = new MqttAsyncClient(first.uri(), "online-sub-" + round,
        new MemoryPersistence());
    open.add(subscriber::close);
    MqttConnectOptions subOptions = subscriberOptions(first.uri());
    subscriber.connect(subOptions).waitForCompletion(30_000);
    subscriber.subscribe(TOPIC, 2, (topic, m) -> received.merge(
        new String(m.getPayload(), StandardCharsets.UTF_8), 1, Integer::sum))
        .waitForCompletion(30_000);

    MqttAsyncClient publisher = new MqttAsyncClient(first.uri(), "online-pub-" + round,
        new MemoryPersistence());
    open.add(publisher::close);
    MqttConnectOptions pubOptions = publisherOptions(first.uri());
    publisher.connect(pubOptions).waitForCompletion(30_000);
    Set<Integer> acked = ConcurrentHashMap.newKeySet();
    AtomicInteger failures = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    Thread feeding = feed(publisher, messages, acked, failures, stop);

    // Exercise: SIGKILL once killAfter PUBCOMPs arrived, while both flows run
    await().atMost(Duration.ofSeconds(120)).until(() -> acked.size() >= killAfter);
    first.kill9();
    int ackedAtKill = acked.size();
    int receivedAtKill = received.size();
    await().atMost(Duration.ofSeconds(30)).until(() -> !publisher.isConnected()
        && !subscriber.isConnected());
    CrashBrokers.Child second = brokers.start();
    subOptions.setServerURIs(new String[] {second.uri()});
    subscriber.connect(subOptions).waitForCompletion(30_000);
    pubOptions.setServerURIs(new String[] {second.uri()});
    publisher.connect(pubOptions).waitForCompletion(30_000);

    // Paho resends what was in flight (PUBLISH with DUP, PUBREL), then the feed goes on
    try {
      await().atMost(Duration.ofSeconds(180)).until(() -> acked.size() == messages);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("round " + round + ": only " + acked.size() + " of " + messages
          + " acknowledged after the restart (killed after " + ackedAtKill + ", " + failures
          + " failure callbacks)", e);
    } finally {
      stop.set(true);
      feeding.join(10_000);
    }
    // the end marker comes after every resend on the subscriber's session: nothing is pending
    publisher.publish(TOPIC, END.getBytes(StandardCharsets.UTF_8), 2, false)
        .waitForCompletion(30_000);
    await().atMost(Duration.ofSeconds(60)).until(() -> received.containsKey(END));
    subscriber.disconnect().waitForCompletion(30_000);
    publisher.disconnect().waitForCompletion(30_000);

    // Verify
    int lost = 0;
    int duplicates = 0;
    List<Integer> twice = new ArrayList<>();
    for (int n = 0; n < messages; n++) {
      int copies = received.getOrDefault("m-" + n, 0);
      lost += copies == 0 ? 1 : 0;
      duplicates += Math.max(0, copies - 1);
      if (copies > 1 && twice.size() < 20) {
        twice.add(n);
      }
    }
    String report = String.format("round %d: %d messages, killed after %d PUBCOMPs (%d received"
        + " by then), acknowledged in the end %d, received %d distinct, lost %d, duplicates %d,"
        + " Paho failure callbacks %d, %.1f s%s", round, messages, ackedAtKill,
        receivedAtKill, acked.size(), received.size() - 1, lost, duplicates, failures.get(),
        (System.nanoTime() - started) / 1e9, twice.isEmpty() ? "" : "; twice: " + twice);
    assertEquals(messages, acked.size(), report);
    assertEquals(0, lost, report);
    assertEquals(0, duplicates, report);
    assertEquals(1, received.get(END), report);
    return report;
  }

  private static MqttConnectOptions subscriberOptions(String uri) {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setServerURIs(new String[] {uri});
    o.setCleanSession(false);
    o.setAutomaticReconnect(false);
    o.setKeepAliveInterval(30);
    return o;
  }

  private static MqttConnectOptions publisherOptions(String uri) {
    MqttConnectOptions o = subscriberOptions(uri);
    o.setMaxInflight(50);
    return o;
  }

  /**
   * Publishes m-0 .. m-(n-1) at QoS 2 as fast as the in-flight window allows; a message whose
   * publish call failed (no connection) is tried again, one Paho took is left to Paho.
   */
  private static Thread feed(MqttAsyncClient client, int n, Set<Integer> acked,
      AtomicInteger failures, AtomicBoolean stop) {
    Thread t = new Thread(() -> {
      int i = 0;
      while (i < n && !stop.get()) {
        int number = i;
        try {
          client.publish(TOPIC, ("m-" + number).getBytes(StandardCharsets.UTF_8), 2, false,
              null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                  acked.add(number);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                  // in flight when the connection broke: Paho resends it after reconnecting
                  failures.incrementAndGet();
                }
              });
          i++;
        } catch (MqttException e) {
          Thread.onSpinWait();
        }
      }
    }, "feed-" + client.getClientId());
    t.start();
    return t;
  }
}
