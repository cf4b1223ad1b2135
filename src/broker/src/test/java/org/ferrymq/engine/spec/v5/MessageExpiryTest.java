package org.ferrymq.engine.spec.v5;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestBrokers.ManualClock;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Message Expiry Interval (MQTT 5 3.3.2.3.3). */
class MessageExpiryTest {
  private static final Properties SESSION = Properties.builder()
      .put(Property.SESSION_EXPIRY_INTERVAL, 3600).build();
  private static final Properties TEN_SECONDS = Properties.builder()
      .put(Property.MESSAGE_EXPIRY_INTERVAL, 10).build();

  private final ManualClock clock = new ManualClock();
  private final MqttBroker sut = TestBrokers.started(b -> b.clock(clock));
  private final TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

  @AfterEach
  void stop() {
    sut.stop();
  }

  private void queueForOfflineSubscriber(String payload) {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", false, null, SESSION);
    sub.subscribe("e", QoS.AT_LEAST_ONCE);
    sub.disconnectAbruptly();
    pub.publishAcked("e", "ignored-by-nobody");
    pub.publish("e", payload, QoS.AT_LEAST_ONCE, false, TEN_SECONDS);
    TestBrokers.drainLanes(sut);
  }

  @Test
  @DisplayName("[MQTT-3.3.2-6] a message forwarded at once carries the interval it was published"
      + " with")
  void liveDeliveryKeepsTheInterval() {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "live", true);
    sub.subscribe("e", QoS.AT_MOST_ONCE);

    pub.publish("e", "now", QoS.AT_MOST_ONCE, false, TEN_SECONDS);

    assertEquals(10L, sub.expectPublish("e", "now").properties()
        .getLong(Property.MESSAGE_EXPIRY_INTERVAL));
  }

  @Test
  @DisplayName("[MQTT-3.3.2-6] a queued message is sent with the interval minus the time it"
      + " waited in the server")
  void intervalIsDecrementedWhileQueued() {
    queueForOfflineSubscriber("waited");

    // Exercise
    clock.advance(Duration.ofSeconds(4));
    TestClient back = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", false, null,
        SESSION);

    // Verify
    back.puback(back.expectPublish("e", "ignored-by-nobody"));
    Publish p = back.expectPublish("e", "waited");
    assertEquals(6L, p.properties().getLong(Property.MESSAGE_EXPIRY_INTERVAL), "[MQTT-3.3.2-6]");
  }

  @Test
  @DisplayName("[MQTT-3.3.2-5] a message whose interval passed before delivery started is"
      + " deleted for that subscriber, and counted as dropped")
  void expiredMessageIsNotDelivered() {
    queueForOfflineSubscriber("too late");

    // Exercise
    clock.advance(Duration.ofSeconds(11));
    TestClient back = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", false, null,
        SESSION);

    // Verify
    back.puback(back.expectPublish("e", "ignored-by-nobody"));
    back.expectNothing(sut);
    assertEquals(1, sut.stats().messagesDropped());
  }

  @Test
  @DisplayName("[MQTT-3.3.2-5] the timer sweep deletes expired messages from an offline"
      + " session's queue")
  void sweepPurgesExpiredMessages() {
    queueForOfflineSubscriber("purged");

    clock.advance(Duration.ofSeconds(11));
    TestBrokers.sweep(sut);

    assertEquals(1, sut.stats().messagesDropped());
    assertEquals(1, sut.stats().messagesQueued(), "only the message without expiry is left");
  }
}
