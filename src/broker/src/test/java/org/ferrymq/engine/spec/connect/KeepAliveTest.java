package org.ferrymq.engine.spec.connect;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.PingReq;
import org.ferrymq.packet.PingResp;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.Will;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Keep alive (MQTT 5 3.1.2.10 and 3.2.2.3.14; 3.1.1 3.1.2.10) and the connect timeout. Uses the
 * real one-second keep alive: the broker checks it on its timer, so these tests take about two
 * seconds each.
 */
class KeepAliveTest {
  private MqttBroker sut;

  @AfterEach
  void stop() {
    sut.stop();
  }

  private static TestClient connectWithKeepAlive(MqttBroker broker, ProtocolVersion v, String id,
      int keepAlive, Will will) {
    TestClient c = new TestClient(broker, v);
    ConnAck ack = c.connectWith(new Connect(v, id, true, keepAlive, will, null, null, null));
    assertEquals(ReasonCode.SUCCESS, ack.reasonCode());
    return c;
  }

  @Test
  @DisplayName("[MQTT-3.1.2-22] no packet within 1.5 x keep alive: DISCONNECT 0x8D, close, and"
      + " the Will is published [MQTT-3.1.2-8]")
  void keepAliveTimeoutClosesAndPublishesTheWill() {
    sut = TestBrokers.started();
    TestClient watcher = TestClient.connect(sut, ProtocolVersion.MQTT_5, "watcher", true);
    watcher.subscribe("wills/+", QoS.AT_LEAST_ONCE);
    Will will = TestClient.will("wills/silent", "gone quiet", QoS.AT_LEAST_ONCE, false, null);

    // Exercise
    TestClient silent = connectWithKeepAlive(sut, ProtocolVersion.MQTT_5, "silent", 1, will);

    // Verify
    silent.expectDisconnect(ReasonCode.KEEP_ALIVE_TIMEOUT, "[MQTT-3.1.2-22]");
    watcher.expectPublish("wills/silent", "gone quiet");
    await("only the watcher is left").atMost(Duration.ofSeconds(5))
        .until(() -> sut.stats().clientsConnected() == 1);
  }

  @Test
  @DisplayName("[MQTT-3.1.2-24] 3.1.1: keep-alive timeout closes the connection without"
      + " DISCONNECT")
  void v311KeepAliveTimeoutClosesWithoutDisconnect() {
    sut = TestBrokers.started();

    TestClient silent = connectWithKeepAlive(sut, ProtocolVersion.MQTT_3_1_1, "silent", 1, null);

    silent.awaitClosed("[MQTT-3.1.2-24]");
    assertNull(silent.transport.pollNow(), "MQTT 3.1.1 has no server DISCONNECT");
  }

  @Test
  @DisplayName("[MQTT-3.12.4-1] PINGREQ is answered with PINGRESP and keeps the connection alive"
      + " past 1.5 x keep alive")
  void pingKeepsTheConnectionAlive() {
    sut = TestBrokers.started();
    TestClient pinger = connectWithKeepAlive(sut, ProtocolVersion.MQTT_5, "pinger", 1, null);

    // Exercise: a PINGREQ every 300 ms for two seconds
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
        .pollInterval(Duration.ofMillis(300))
        .until(() -> {
          pinger.send(PingReq.INSTANCE);
          return !pinger.isClosed();
        });

    // Verify
    assertFalse(pinger.isClosed());
    while (pinger.transport.pollNow() instanceof PingResp) {
      // every answer was a PINGRESP
    }
    assertNull(pinger.transport.pollNow(), "only PINGRESPs were sent");
  }

  @Test
  @DisplayName("[MQTT-3.12.4-1] every PINGREQ of a batch gets its PINGRESP, in order with the "
      + "answers to the packets between them")
  void batchedPingRequestsAreEachAnswered() {
    sut = TestBrokers.started();
    TestClient c = connectWithKeepAlive(sut, ProtocolVersion.MQTT_3_1_1, "batch", 60, null);
    java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < 500; i++) {
      batch.writeBytes(new byte[] {(byte) 0xC0, 0x00}); // PINGREQ
    }
    batch.writeBytes(new byte[] {(byte) 0x82, 0x06, 0x00, 0x07, // SUBSCRIBE, packet id 7
        0x00, 0x01, 't', 0x00});                               // filter "t", QoS 0
    for (int i = 0; i < 300; i++) {
      batch.writeBytes(new byte[] {(byte) 0xC0, 0x00});
    }

    // Exercise: one read carrying all of them
    c.sendBytes(java.nio.ByteBuffer.wrap(batch.toByteArray()));

    // Verify
    for (int i = 0; i < 500; i++) {
      c.expect(PingResp.class);
    }
    assertEquals(7, c.expect(org.ferrymq.packet.SubAck.class).packetId());
    for (int i = 0; i < 300; i++) {
      c.expect(PingResp.class);
    }
    c.expectNothing(sut);
  }

  @ParameterizedTest
  @CsvSource({"60, 30", "0, 30"})
  @DisplayName("[MQTT-3.2.2-21] a keep alive above mqtt.max-keep-alive (or 0) is replaced by"
      + " Server Keep Alive in CONNACK")
  void serverKeepAliveWhenTheMaximumIsLower(int requested, int granted) {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.max-keep-alive", "30")));
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_5);

    // Exercise
    ConnAck ack = c.connectWith(new Connect(ProtocolVersion.MQTT_5, "ka", true, requested, null,
        null, null, null));

    // Verify
    assertEquals(granted, ack.properties().getInt(Property.SERVER_KEEP_ALIVE), "[MQTT-3.2.2-21]");
  }

  @Test
  @DisplayName("[MQTT-3.2.2-21] no Server Keep Alive when the client's keep alive is within the"
      + " maximum")
  void noServerKeepAliveWithinTheMaximum() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.max-keep-alive", "30")));
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_5);

    ConnAck ack = c.connectWith(new Connect(ProtocolVersion.MQTT_5, "ka", true, 10, null, null,
        null, Properties.EMPTY));

    assertNull(ack.properties().getInt(Property.SERVER_KEEP_ALIVE));
  }

  @Test
  @DisplayName("3.1 (non-normative): a connection that sends no CONNECT within"
      + " mqtt.connect-timeout is closed")
  void connectionWithoutConnectIsClosedAfterTheTimeout() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.connect-timeout", "1")));
    TestClient idle = new TestClient(sut, ProtocolVersion.MQTT_3_1_1);
    TestClient partial = new TestClient(sut, ProtocolVersion.MQTT_3_1_1);

    // Exercise: one sends nothing, the other only the first bytes of a CONNECT
    partial.sendBytes(0x10, 13, 0x00, 0x04, 'M');

    // Verify
    idle.awaitClosed("connect timeout");
    partial.awaitClosed("connect timeout");
    assertEquals(0, idle.transport.rawBytes().length);
  }
}
