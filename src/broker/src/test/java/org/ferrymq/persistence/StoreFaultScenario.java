package org.ferrymq.persistence;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.engine.FlowStats;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.persistence.common.GroupCommitter;
import org.ferrymq.transport.netty.BoundListener;
import org.ferrymq.transport.netty.ListenerSettings;
import org.ferrymq.transport.netty.MqttServer;

/**
 * A store fault seen by real clients: the broker on the given store behind the Netty TCP
 * listener, a persistent MQTT 5 subscriber that is offline (so every message must go through
 * the store), and Paho publishers (MQTT 3.1.1 QoS 1, MQTT 5 QoS 1 and QoS 2) that publish
 * before, during and after a fault the caller injects and then heals.
 *
 * <p>Checks on the way: the fault is reported (readiness data, metrics, one log line), nothing
 * published during the fault is acknowledged before the store is back [MQTT-4.3.2-2] / [MQTT-4.3.3-2]
 * ("the Server ... MUST send PUBACK/PUBREC" only once it owns the message; here "owns" includes
 * "stored"), held publishes are acknowledged in order after the recovery [MQTT-4.6.0-2], the
 * broker serves new publishes without a restart, and the subscriber gets every acknowledged
 * message, QoS 2 once [MQTT-4.3.3-3] and per topic in order [MQTT-4.6.0-6].
 */
public final class StoreFaultScenario {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String HOST = "127.0.0.1";
  static final int PER_PHASE = 20;

  /**
   * What one run saw.
   *
   * @param acknowledged PUBACK/PUBREC-then-PUBCOMP received by the publishers, all phases
   * @param delivered distinct messages the subscriber received after its reconnect
   * @param lost acknowledged but not delivered
   * @param duplicates QoS 2 messages delivered more than once
   * @param ackedWhileFailed publishes made during the fault acknowledged before the recovery
   * @param heldAtPeak PUBLISH packets the broker held at once during the fault
   * @param faultMillis from the first fault report to readiness again, after the heal
   * @param recoveryMillis from the end of the heal (space freed, database accepting
   *     connections) to the store reporting itself available
   * @param severeLogLines store fault lines logged during the episode
   * @param fault the fault text readiness showed
   */
  public record Report(int acknowledged, int delivered, int lost, int duplicates,
      int ackedWhileFailed, long heldAtPeak, long faultMillis, long recoveryMillis,
      int severeLogLines, String fault) {

    @Override
    public String toString() {
      return "acknowledged " + acknowledged + ", delivered after recovery " + delivered
          + ", lost " + lost + ", QoS 2 duplicates " + duplicates + ", acknowledged while failed "
          + ackedWhileFailed + ", held at peak " + heldAtPeak + ", recovery after heal "
          + recoveryMillis + " ms, fault log lines " + severeLogLines + ", fault: " + fault;
    }
  }

  private final Persistence store;
  private final Runnable injectFault;
  private final Runnable heal;
  private final List<String> published = new ArrayList<>();
  private final List<Object> tokens = new ArrayList<>();
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final List<LogRecord> logged = new CopyOnWriteArrayList<>();

  private StoreFaultScenario(Persistence store, Runnable injectFault, Runnable heal) {
    this.store = store;
    this.injectFault = injectFault;
    this.heal = heal;
  }

  /**
   * Runs the scenario and asserts on the way; the report has the figures.
   *
   * @param store an open durable store; closed by the broker at the end
   * @param injectFault makes the store fail (a full disk, a stopped database)
   * @param heal makes it work again
   */
  public static Report run(Persistence store, Runnable injectFault, Runnable heal)
      throws Exception {
    return new StoreFaultScenario(store, injectFault, heal).run();
  }

  private Report run() throws Exception {
    Logger storeLog = Logger.getLogger(GroupCommitter.class.getName());
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        logged.add(r);
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    storeLog.addHandler(capture);
    ExecutorService io = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "store-fault-io");
      t.setDaemon(true);
      return t;
    });
    MqttBroker broker = MqttBroker.builder().config(BrokerConfig.from(
        k -> k.equals("mqtt.lanes") ? Optional.of("2") : Optional.empty()))
        .persistence(store).build();
    broker.start();
    MqttServer server = new MqttServer(broker, io, 1);
    MqttClient subscriber = null;
    MqttAsyncClient v3 = null;
    org.eclipse.paho.mqttv5.client.MqttAsyncClient v5 = null;
    try {
      BoundListener listener = server.bind(ListenerSettings.tcp(HOST, 0));
      String uri = "tcp://" + HOST + ":" + listener.port();
      subscriber = connectSubscriber(uri);
      subscriber.subscribe("fault/#", 2);
      subscriber.disconnect();
      v3 = new MqttAsyncClient(uri, "fault-pub-v3", null);
      MqttConnectOptions o3 = new MqttConnectOptions();
      o3.setMaxInflight(1_000);
      v3.connect(o3).waitForCompletion(WAIT.toMillis());
      v5 = new org.eclipse.paho.mqttv5.client.MqttAsyncClient(uri, "fault-pub-v5", null);
      v5.connect(new MqttConnectionOptions()).waitForCompletion(WAIT.toMillis());

      publishPhase(v3, v5, "before");
      awaitAcknowledged(0, tokens.size());
      int beforeFault = tokens.size();

      // Exercise: the store fails while messages are in flight
      injectFault.run();
      publishOne(v3, "fault/v3", "trigger", 1);
      await().atMost(WAIT).until(() -> !store.isHealthy());
      long failedAt = System.nanoTime();
      String fault = store.fault();
      assertNotNull(fault, "a failed store names its fault");
      assertTrue(!broker.flowStats().storeAvailable(), "ferrymq_store_available is 0");
      int duringFrom = tokens.size();
      publishPhase(v3, v5, "during");
      await().atMost(WAIT).until(() -> broker.flowStats().publishesHeld()
          >= 3L * PER_PHASE - 1);
      long heldAtPeak = broker.flowStats().publishesHeld();
      // Nothing published during the fault is acknowledged while the store stays failed
      await().during(Duration.ofMillis(500)).atMost(WAIT)
          .until(() -> acknowledged(duringFrom, tokens.size()) == 0);
      int ackedWhileFailed = acknowledged(duringFrom, tokens.size());
      assertTrue(!store.isHealthy(), "still failed");

      // Exercise: the store can be written again
      heal.run();
      long healedAt = System.nanoTime();
      await().atMost(WAIT).until(store::isHealthy);
      long recoveryMillis = (System.nanoTime() - healedAt) / 1_000_000;
      awaitAcknowledged(beforeFault, tokens.size());
      long faultMillis = (System.nanoTime() - failedAt) / 1_000_000;
      FlowStats flow = broker.flowStats();
      assertTrue(flow.storeAvailable(), "ferrymq_store_available is 1 again");
      assertEquals(1, flow.storeFailures(), "one fault episode");
      assertEquals(0, flow.publishesHeld(), "nothing held any more");
      assertNull(store.fault(), "readiness up again");

      // The broker serves new publishes without a restart
      publishPhase(v3, v5, "after");
      awaitAcknowledged(0, tokens.size());

      // Verify: the subscriber gets every acknowledged message
      subscriber = connectSubscriber(uri);
      await().atMost(WAIT).until(() -> received.stream().distinct().count()
          >= published.size());
      int lost = 0;
      for (String p : published) {
        lost += received.contains(p) ? 0 : 1;
      }
      int duplicates = 0;
      for (String p : published) {
        if (p.contains("/q2 ") && received.stream().filter(p::equals).count() > 1) {
          duplicates++;
        }
      }
      assertEquals(0, lost, "every acknowledged message delivered");
      assertEquals(0, duplicates, "QoS 2 once");
      assertInOrderPerTopic();
      int severe = (int) logged.stream().filter(r -> r.getLevel() == Level.SEVERE).count();
      int recovered = (int) logged.stream().filter(r -> r.getLevel() == Level.INFO
          && r.getMessage().contains("available again")).count();
      assertEquals(1, severe, "one log line per fault episode, not per write");
      assertEquals(1, recovered, "one log line for the recovery");
      return new Report(tokens.size(), (int) received.stream().distinct().count(), lost,
          duplicates, ackedWhileFailed, heldAtPeak, faultMillis, recoveryMillis, severe, fault);
    } finally {
      storeLog.removeHandler(capture);
      closeQuietly(subscriber);
      closeQuietly(v3);
      closeQuietly(v5);
      server.close();
      broker.stop();
      io.shutdownNow();
    }
  }

  private MqttClient connectSubscriber(String uri) throws MqttException {
    MqttClient c = new MqttClient(uri, "fault-sub", null);
    c.setCallback(new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse response) {
      }

      @Override
      public void mqttErrorOccurred(MqttException exception) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        received.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8));
      }

      @Override
      public void deliveryComplete(IMqttToken token) {
      }

      @Override
      public void connectComplete(boolean reconnect, String serverURI) {
      }

      @Override
      public void authPacketArrived(int reasonCode, MqttProperties properties) {
      }
    });
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(false);
    o.setSessionExpiryInterval(3_600L);
    c.connect(o);
    return c;
  }

  /** QoS 1 from the MQTT 3.1.1 client, QoS 1 and QoS 2 from the MQTT 5 client, each ordered. */
  private void publishPhase(MqttAsyncClient v3,
      org.eclipse.paho.mqttv5.client.MqttAsyncClient v5, String phase) throws Exception {
    for (int i = 0; i < PER_PHASE; i++) {
      publishOne(v3, "fault/v3", phase + "-" + i, 1);
      publishOne(v5, "fault/v5/q1", phase + "-" + i, 1);
      publishOne(v5, "fault/v5/q2", phase + "-" + i, 2);
    }
  }

  private void publishOne(Object client, String topic, String payload, int qos)
      throws Exception {
    byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
    if (client instanceof MqttAsyncClient v3) {
      tokens.add(v3.publish(topic, bytes, qos, false));
    } else {
      MqttMessage m = new MqttMessage(bytes);
      m.setQos(qos);
      tokens.add(((org.eclipse.paho.mqttv5.client.MqttAsyncClient) client).publish(topic, m));
    }
    published.add(topic + " " + payload);
  }

  private int acknowledged(int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      n += isComplete(tokens.get(i)) ? 1 : 0;
    }
    return n;
  }

  private static boolean isComplete(Object token) {
    if (token instanceof IMqttDeliveryToken t3) {
      return t3.isComplete() && t3.getException() == null;
    }
    IMqttToken t5 = (IMqttToken) token;
    if (!t5.isComplete()) {
      return false;
    }
    assertNull(t5.getException(), "an MQTT 5 publish was refused: " + t5.getException());
    return true;
  }

  private void awaitAcknowledged(int from, int to) {
    await().atMost(WAIT).until(() -> acknowledged(from, to) == to - from);
  }

  private void assertInOrderPerTopic() {
    Map<String, List<String>> byTopic = new LinkedHashMap<>();
    for (String p : published) {
      byTopic.computeIfAbsent(p.substring(0, p.indexOf(' ')), k -> new ArrayList<>()).add(p);
    }
    for (Map.Entry<String, List<String>> e : byTopic.entrySet()) {
      List<String> got = received.stream().filter(r -> r.startsWith(e.getKey() + " "))
          .distinct().toList();
      assertEquals(e.getValue(), got, "order on " + e.getKey());
    }
  }

  private static void closeQuietly(Object client) {
    try {
      if (client instanceof MqttClient c) {
        c.disconnect();
        c.close();
      } else if (client instanceof MqttAsyncClient c) {
        c.disconnect().waitForCompletion(5_000);
        c.close();
      } else if (client instanceof org.eclipse.paho.mqttv5.client.MqttAsyncClient c) {
        c.disconnect().waitForCompletion(5_000);
        c.close();
      }
    } catch (Exception alreadyGone) {
      // the outcome is decided; a client that will not close is not the subject
    }
  }
}
