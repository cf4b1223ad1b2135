package org.ferrymq.persistence.mvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 while publishers are mid-stream, mode {@code persistent}: every message a publisher
 * saw acknowledged before the kill reaches the persistent subscriber after the restart, and
 * QoS 2 messages reach it once.
 */
class KillNineCrashTest {
  private static final long KILL_AFTER_ACKS = 3_000;

  @TempDir
  Path dir;

  private CrashBrokers brokers;

  @AfterEach
  void killChildren() {
    if (brokers != null) {
      brokers.close();
    }
  }

  private static MqttConnectOptions options(boolean cleanSession) {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(cleanSession);
    o.setAutomaticReconnect(false);
    o.setMaxInflight(1_000);
    o.setKeepAliveInterval(30);
    return o;
  }

  /** Publishes numbered messages as fast as the in-flight window allows, until stopped. */
  private static Thread publisher(String uri, String clientId, int qos, Set<Integer> acked,
      AtomicBoolean stop) throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
    MqttConnectOptions options = options(true);
    // the broker's Receive Maximum (100) bounds unreleased QoS 2 messages, also for MQTT 3
    options.setMaxInflight(qos == 2 ? 50 : 1_000);
    client.connect(options).waitForCompletion(10_000);
    Thread t = new Thread(() -> {
      int i = 0;
      while (!stop.get() && client.isConnected()) {
        int n = i;
        try {
          client.publish("crash/q" + qos, ("q" + qos + "-" + n).getBytes(StandardCharsets.UTF_8),
              qos, false, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                  acked.add(n);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                  // not acknowledged: the broker promised nothing
                }
              });
          i++;
        } catch (MqttException e) {
          if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT) {
            break;
          }
          Thread.onSpinWait();
        }
      }
      try {
        client.close(true);
      } catch (MqttException e) {
        // the broker is gone
      }
    }, "publisher-" + clientId);
    t.start();
    return t;
  }

  @Test
  void everyAcknowledgedMessageSurvivesKill9() throws Exception {
    brokers = new CrashBrokers(dir);
    CrashBrokers.Child first = brokers.start();
    MqttClient subscriber = new MqttClient(first.uri(), "crash-sub", new MemoryPersistence());
    subscriber.connect(options(false));
    subscriber.subscribe("crash/#", 2);
    subscriber.disconnect();
    subscriber.close();

    Set<Integer> acked1 = ConcurrentHashMap.newKeySet();
    Set<Integer> acked2 = ConcurrentHashMap.newKeySet();
    AtomicBoolean stop = new AtomicBoolean();
    Thread p1 = publisher(first.uri(), "crash-pub1", 1, acked1, stop);
    Thread p2 = publisher(first.uri(), "crash-pub2", 2, acked2, stop);

    // Exercise: SIGKILL mid-stream
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (acked1.size() < KILL_AFTER_ACKS && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    first.kill9();
    stop.set(true);
    p1.join(10_000);
    p2.join(10_000);
    Set<Integer> ackedQos1 = new TreeSet<>(acked1);
    Set<Integer> ackedQos2 = new TreeSet<>(acked2);

    CrashBrokers.Child second = brokers.start();
    Map<String, Integer> deliveries = new ConcurrentHashMap<>();
    List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
    MqttClient back = new MqttClient(second.uri(), "crash-sub", new MemoryPersistence());
    back.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
        // reported by the assertions
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        String payload = new String(message.getPayload(), StandardCharsets.UTF_8);
        deliveries.merge(payload, 1, Integer::sum);
        order.add(payload);
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
        // subscriber only
      }
    });
    back.connect(options(false));
    long quietSince = System.nanoTime();
    int seen = 0;
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Thread.sleep(100);
      if (order.size() != seen) {
        seen = order.size();
        quietSince = System.nanoTime();
      } else if (System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(2)) {
        break;
      }
    }
    back.disconnect();
    back.close();

    // Verify
    int lost1 = 0;
    for (int n : ackedQos1) {
      lost1 += deliveries.containsKey("q1-" + n) ? 0 : 1;
    }
    int lost2 = 0;
    for (int n : ackedQos2) {
      lost2 += deliveries.containsKey("q2-" + n) ? 0 : 1;
    }
    int duplicates2 = 0;
    int delivered1 = 0;
    int delivered2 = 0;
    for (Map.Entry<String, Integer> e : deliveries.entrySet()) {
      if (e.getKey().startsWith("q2-")) {
        delivered2++;
        duplicates2 += e.getValue() - 1;
      } else {
        delivered1++;
      }
    }
    String report = String.format("kill -9 crash test (persistent, MVStore): QoS 1 acknowledged "
        + "%d, delivered after restart %d (distinct), lost %d; QoS 2 acknowledged (PUBCOMP) %d, "
        + "delivered %d, lost %d, duplicates %d", ackedQos1.size(), delivered1, lost1,
        ackedQos2.size(), delivered2, lost2, duplicates2);
    System.out.println(report);
    Path results = Path.of(System.getProperty("user.dir"), System.getProperty("build.dir",
        "target"), "persistence-crash-test.txt");
    Files.createDirectories(results.getParent());
    Files.writeString(results, report + System.lineSeparator());
    assertTrue(ackedQos1.size() > 100, "the publisher got going before the kill: " + report);
    assertEquals(0, lost1, report);
    assertEquals(0, lost2, report);
    assertEquals(0, duplicates2, report);
    assertInOrderPerPublisher(order);
  }

  /** First deliveries of each publisher's messages keep the publishing order. */
  private static void assertInOrderPerPublisher(List<String> order) {
    Map<String, Integer> last = new HashMap<>();
    Set<String> seen = new java.util.HashSet<>();
    for (String payload : order) {
      if (!seen.add(payload)) {
        continue;
      }
      String publisher = payload.substring(0, 2);
      int n = Integer.parseInt(payload.substring(3));
      Integer previous = last.put(publisher, n);
      assertTrue(previous == null || previous < n, "out of order: " + payload + " after "
          + publisher + "-" + previous);
    }
  }
}
