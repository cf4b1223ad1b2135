package org.ferrymq.cluster;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A Paho 3.1.1 publisher on its own thread that keeps a window of messages in flight on one
 * topic, payloads {@code <qos>-<n>}, and records the ones its node acknowledged. It stops at the
 * first failed publish (an MQTT 3 connection closed by the broker).
 */
final class PublisherStream implements Runnable {
  private static final int WINDOW = 20;
  private final MqttAsyncClient client;
  private final String topic;
  private final int qos;
  private final int count;
  private final Semaphore window = new Semaphore(WINDOW);
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean running = true;

  /**
   * Connects and starts publishing.
   *
   * @param count how many messages it publishes
   * @param clients where its {@link #stop} is registered first, for the test's clean-up
   */
  PublisherStream(ClusterBroker node, String topic, int qos, int count,
      List<AutoCloseable> clients) throws MqttException {
    this.client = new MqttAsyncClient(node.uri(), "stream-" + qos + "-" + UUID.randomUUID(),
        new MemoryPersistence());
    this.topic = topic;
    this.qos = qos;
    this.count = count;
    MqttConnectOptions options = ClusterSessionsTest.options(true, null);
    options.setMaxInflight(WINDOW);
    client.connect(options).waitForCompletion(10_000);
    clients.add(0, this::stop);
    thread = new Thread(this, "stream-qos" + qos);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void run() {
    try {
      for (int i = 0; running && i < count; i++) {
        if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          i--;
          continue;
        }
        String payload = qos + "-" + i;
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(qos);
        client.publish(topic, m, null, new IMqttActionListener() {
          @Override
          public void onSuccess(IMqttToken token) {
            acknowledged.add(payload);
            window.release();
          }

          @Override
          public void onFailure(IMqttToken token, Throwable error) {
            running = false;
            window.release();
          }
        });
      }
    } catch (MqttException | InterruptedException e) {
      running = false;
    }
  }

  int acknowledged() {
    return acknowledged.size();
  }

  /** @return whether it still publishes: not at its end, and no publish failed */
  boolean publishing() {
    return running && thread.isAlive();
  }

  /** @return what was acknowledged, once the publishes in flight are settled */
  Set<String> stop() throws Exception {
    if (closed.compareAndSet(false, true)) {
      running = false;
      thread.join(5_000);
      window.tryAcquire(WINDOW, 20, TimeUnit.SECONDS);
      if (client.isConnected()) {
        client.disconnect().waitForCompletion(5_000);
      }
      client.close();
    }
    return Set.copyOf(acknowledged);
  }
}
