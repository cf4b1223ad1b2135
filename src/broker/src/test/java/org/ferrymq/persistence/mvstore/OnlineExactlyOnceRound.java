package org.ferrymq.persistence.mvstore;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

/**
 * One round of the online exactly-once crash test, for any broker that can be killed and
 * started again on the same store: the engine in a child JVM ({@link
 * OnlineExactlyOnceCrashTest}) or a whole Liberty server ({@code DurableRestartIT}).
 *
 * <p>A Paho v3 QoS 2 subscriber and a Paho v3 QoS 2 publisher (50 in flight), both online with
 * persistent sessions, on one topic; SIGKILL once {@code killAfter} PUBCOMPs arrived; restart;
 * both reconnect with their in-memory state, Paho resends (PUBLISH with DUP, PUBREL) and the feed
 * goes on; an end marker flushes the subscriber's session. Every message must arrive exactly
 * once [MQTT-4.3.3-10] [MQTT-4.4.0-1].
 *
 * <p>Paho v3 on both sides: it hands a QoS 2 message to the application at PUBREL, so a PUBLISH
 * resent with DUP is not delivered twice; Paho v5 1.2.5 hands over every PUBLISH it receives
 * (no exactly-once subscriber), and as a publisher fails every message in flight at the crash
 * instead of resending it after reconnecting.
 */
public final class OnlineExactlyOnceRound {
  private static final String END = "end";

  /** The broker under test. */
  public interface Broker {
    /** @return its MQTT URI, tcp://host:port */
    String uri();

    /** SIGKILL; returns once the process is gone. */
    void kill9() throws Exception;

    /**
     * Starts it again on the same store.
     *
     * @return its MQTT URI now
     */
    String restart() throws Exception;
  }

  private OnlineExactlyOnceRound() {
  }

  /**
   * Runs one round; asserts nothing lost, nothing twice, everything acknowledged.
   *
   * @param name distinguishes client ids and the topic between rounds
   * @param open collects what the caller closes afterwards
   * @return a one-line report
   */
  public static String run(String name, Broker broker, int messages, int killAfter,
      List<AutoCloseable> open) throws Exception {
    String topic = "online/q2/" + name;
    long started = System.nanoTime();
    Map<String, Integer> received = new ConcurrentHashMap<>();
    MqttAsyncClient subscriber = new MqttAsyncClient(broker.uri(), "online-sub-" + name,
        new MemoryPersistence());
    open.add(subscriber::close);
    MqttConnectOptions subOptions = subscriberOptions(broker.uri());
    subscriber.connect(subOptions).waitForCompletion(30_000);
    subscriber.subscribe(topic, 2, (t, m) -> received.merge(
        new String(m.getPayload(), StandardCharsets.UTF_8), 1, Integer::sum))
        .waitForCompletion(30_000);

    MqttAsyncClient publisher = new MqttAsyncClient(broker.uri(), "online-pub-" + name,
        new MemoryPersistence());
    open.add(publisher::close);
    MqttConnectOptions pubOptions = publisherOptions(broker.uri());
    publisher.connect(pubOptions).waitForCompletion(30_000);
    Set<Integer> acked = ConcurrentHashMap.newKeySet();
    AtomicInteger failures = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    Thread feeding = feed(publisher, topic, messages, acked, failures, stop);

    // Exercise: SIGKILL once killAfter PUBCOMPs arrived, while both flows run
    await().atMost(Duration.ofSeconds(120)).until(() -> acked.size() >= killAfter);
    broker.kill9();
    int ackedAtKill = acked.size();
    int receivedAtKill = received.size();
    await().atMost(Duration.ofSeconds(30)).until(() -> !publisher.isConnected()
        && !subscriber.isConnected());
    String uri = broker.restart();
    subOptions.setServerURIs(new String[] {uri});
    subscriber.connect(subOptions).waitForCompletion(30_000);
    pubOptions.setServerURIs(new String[] {uri});
    publisher.connect(pubOptions).waitForCompletion(30_000);

    // Paho resends what was in flight (PUBLISH with DUP, PUBREL), then the feed goes on
    try {
      await().atMost(Duration.ofSeconds(180)).until(() -> acked.size() == messages);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(name + ": only " + acked.size() + " of " + messages
          + " acknowledged after the restart (killed after " + ackedAtKill + ", " + failures
          + " failure callbacks)", e);
    } finally {
      stop.set(true);
      feeding.join(10_000);
    }
    // the end marker comes after every resend on the subscriber's session: nothing is pending
    publisher.publish(topic, END.getBytes(StandardCharsets.UTF_8), 2, false)
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
    String report = String.format("%s: %d messages, killed after %d PUBCOMPs (%d received"
        + " by then), acknowledged in the end %d, received %d distinct, lost %d, duplicates %d,"
        + " Paho failure callbacks %d, %.1f s%s", name, messages, ackedAtKill,
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
  private static Thread feed(MqttAsyncClient client, String topic, int n, Set<Integer> acked,
      AtomicInteger failures, AtomicBoolean stop) {
    Thread t = new Thread(() -> {
      int i = 0;
      while (i < n && !stop.get()) {
        int number = i;
        try {
          client.publish(topic, ("m-" + number).getBytes(StandardCharsets.UTF_8), 2, false,
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
