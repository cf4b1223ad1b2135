package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ferrymq.message.Message;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.stats.LatencySnapshot;
import org.ferrymq.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Messages by QoS, connections by listener kind and delivery latency, as metrics read them. */
class TrafficStatsTest {
  private final MqttBroker sut = TestBrokers.started();

  @AfterEach
  void stop() {
    sut.stop();
  }

  @Test
  void messagesAreCountedByTheQosTheyCameAndWentWith() {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true);
    sub.subscribe("q/#", QoS.AT_LEAST_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    pub.publish("q/0", "a", QoS.AT_MOST_ONCE, false);
    pub.publish("q/2", "b", QoS.EXACTLY_ONCE, false);
    sub.expectPublish("q/0", "a");
    sub.expectPublish("q/2", "b");
    TestBrokers.drainLanes(sut);

    TrafficStats t = sut.trafficStats();
    assertEquals(1L, t.receivedByQos().get(QoS.AT_MOST_ONCE));
    assertEquals(0L, t.receivedByQos().get(QoS.AT_LEAST_ONCE));
    assertEquals(1L, t.receivedByQos().get(QoS.EXACTLY_ONCE));
    // QoS 2 downgraded to the subscription's QoS 1 [MQTT-3.8.4-8]
    assertEquals(1L, t.sentByQos().get(QoS.AT_MOST_ONCE));
    assertEquals(1L, t.sentByQos().get(QoS.AT_LEAST_ONCE));
    assertEquals(0L, t.sentByQos().get(QoS.EXACTLY_ONCE));
    assertEquals(2, sut.stats().messagesReceived());
  }

  @Test
  void everyLiveDeliveryHasItsLatencyButNotARetainedReplay() {
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "pub", true);
    pub.publish("r/kept", "old", QoS.AT_LEAST_ONCE, true);
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "sub", true);
    sub.subscribe("r/#", QoS.AT_LEAST_ONCE);
    sub.expectPublish("r/kept", "old");
    TestBrokers.drainLanes(sut);
    assertEquals(0, sut.trafficStats().deliveryLatency().count(), "a retained replay");

    for (int i = 0; i < 5; i++) {
      pub.publish("r/live", "n" + i, QoS.AT_LEAST_ONCE, false);
      sub.expectPublish("r/live", "n" + i);
    }
    TestBrokers.drainLanes(sut);

    LatencySnapshot latency = sut.trafficStats().deliveryLatency();
    assertEquals(5, latency.count());
    assertTrue(latency.sumMicros() >= 0);
  }

  @Test
  void inProcessPublishesAndDeliveriesCountToo() throws Exception {
    java.util.concurrent.BlockingQueue<Message> got =
        new java.util.concurrent.LinkedBlockingQueue<>();
    sut.subscribe("local/#", QoS.AT_LEAST_ONCE, got::add);

    sut.publish(Message.of("local/x", new byte[] {1}, QoS.AT_LEAST_ONCE, false));

    got.poll(5, java.util.concurrent.TimeUnit.SECONDS);
    TestBrokers.drainLanes(sut);
    TrafficStats t = sut.trafficStats();
    assertEquals(1L, t.receivedByQos().get(QoS.AT_LEAST_ONCE));
    assertEquals(1L, t.sentByQos().get(QoS.AT_LEAST_ONCE));
    assertEquals(1, t.deliveryLatency().count());
  }

  @Test
  void openConnectionsAreCountedByHowTheyConnected() {
    TestClient.connect(sut, ProtocolVersion.MQTT_5, "one", true);
    TestClient two = TestClient.connect(sut, ProtocolVersion.MQTT_5, "two", true);

    // the test clients' transport says LOCAL
    assertEquals(2L, sut.trafficStats().connectionsOpenByKind().get(TransportKind.LOCAL));
    assertEquals(0L, sut.trafficStats().connectionsOpenByKind().get(TransportKind.TCP));

    two.disconnectAbruptly();

    assertEquals(1L, sut.trafficStats().connectionsOpenByKind().get(TransportKind.LOCAL));
    assertEquals(TransportKind.values().length, sut.trafficStats().connectionsOpenByKind().size());
  }
}
