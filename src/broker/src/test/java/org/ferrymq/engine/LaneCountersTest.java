package org.ferrymq.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The broker's message counters are kept per lane and summed when read: traffic from several
 * publisher threads on both lanes, to subscribers on both lanes, must add up exactly once the
 * lanes are idle, and queue counts must return to zero when the queue drains.
 */
class LaneCountersTest {
  private static final ProtocolVersion V5 = ProtocolVersion.MQTT_5;
  private final MqttBroker broker = TestBrokers.started();

  @AfterEach
  void stop() {
    broker.stop();
  }

  @Test
  void countsFromEveryLaneAndThreadAddUp() throws InterruptedException {
    List<TestClient> subscribers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      TestClient s = TestClient.connect(broker, V5, "count-sub-" + i, true);
      s.subscribe("count/#", QoS.AT_MOST_ONCE);
      subscribers.add(s);
    }
    int publishers = 4;
    int each = 250;
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < publishers; p++) {
      TestClient pub = TestClient.connect(broker, V5, "count-pub-" + p, true);
      int id = p;
      Thread t = new Thread(() -> {
        for (int i = 0; i < each; i++) {
          pub.publish("count/" + id, "m", QoS.AT_MOST_ONCE, false);
        }
      });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    TestBrokers.drainLanes(broker);

    int published = publishers * each;
    await().atMost(Duration.ofSeconds(5))
        .until(() -> broker.stats().messagesSent() == (long) published * subscribers.size());
    BrokerStats stats = broker.stats();
    assertEquals(published, stats.messagesReceived());
    assertEquals(0, stats.messagesDropped());
    assertEquals(0, stats.messagesQueued());
  }
}
