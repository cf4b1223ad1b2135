package org.ferrymq.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.ferrymq.codec.MqttEncoder;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Packets that arrive in pieces: assembled at a cost linear in their size, and alive only whole. */
class PartialPacketTest {
  private MqttBroker sut;

  @AfterEach
  void stop() {
    if (sut != null) {
      sut.stop();
    }
  }

  @Test
  @DisplayName("a 512 KiB PUBLISH fed a byte at a time arrives whole, and its buffer grows a "
      + "logarithmic number of times (the copies are linear in the size, not quadratic)")
  void packetDribbledInIsAssembledWithFewCopies() {
    sut = TestBrokers.started();
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true);
    sub.subscribe("big", QoS.AT_MOST_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    byte[] payload = new byte[512 * 1024];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) i;
    }
    ByteBuffer wire = MqttEncoder.encode(new Publish("big", payload, QoS.AT_MOST_ONCE, false,
        false, 0, Properties.EMPTY), ProtocolVersion.MQTT_5);

    // Exercise
    while (wire.hasRemaining()) {
      pub.sendBytes(ByteBuffer.wrap(new byte[] {wire.get()}));
    }

    // Verify
    assertArrayEquals(payload, sub.expect(Publish.class).payload());
    int growths = ((MqttConnection) pub.inbound).partialGrowths;
    assertTrue(growths <= 5, "the partial-packet buffer was replaced " + growths + " times");
  }

  @Test
  @DisplayName("a 60 KiB PUBLISH fed a byte at a time is copied once into a buffer sized from "
      + "its fixed header")
  void packetUpTo64KiBGetsOneBufferOfItsDeclaredSize() {
    sut = TestBrokers.started();
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true);
    sub.subscribe("mid", QoS.AT_MOST_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    byte[] payload = new byte[60 * 1024];
    ByteBuffer wire = MqttEncoder.encode(new Publish("mid", payload, QoS.AT_MOST_ONCE, false,
        false, 0, Properties.EMPTY), ProtocolVersion.MQTT_5);

    // Exercise
    while (wire.hasRemaining()) {
      pub.sendBytes(ByteBuffer.wrap(new byte[] {wire.get()}));
    }

    // Verify: the first byte alone gets the 1 KiB default, then one buffer of the exact size
    assertEquals(payload.length, sub.expect(Publish.class).payload().length);
    assertEquals(1, ((MqttConnection) pub.inbound).partialGrowths);
  }

  @Test
  @DisplayName("a connected client dribbling a packet below mqtt.min-packet-rate once "
      + "mqtt.connect-timeout has passed gets DISCONNECT 0x8D and is closed, keep alive 0")
  void packetBelowMinimumRateIsClosed() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config(
        "mqtt.connect-timeout", "1", "mqtt.min-packet-rate", "1000")));
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_5);
    ConnAck ack = c.connectWith(new Connect(ProtocolVersion.MQTT_5, "loris", true, 0, null,
        null, null, null));
    assertEquals(ReasonCode.SUCCESS, ack.reasonCode());
    // A PUBLISH header announcing 10,000 bytes, then its body at about 10 bytes/s
    c.sendBytes(0x30, 0x90, 0x4E);

    // Exercise
    await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(100)).until(() -> {
      c.sendBytes(0x00);
      return c.isClosed();
    });

    // Verify
    assertEquals(ReasonCode.KEEP_ALIVE_TIMEOUT, c.expect(Disconnect.class).reasonCode());
    assertEquals(1, sut.flowStats().slowPacketsClosed());
  }

  @Test
  @DisplayName("a packet that takes longer than mqtt.connect-timeout but averages above "
      + "mqtt.min-packet-rate arrives whole")
  void slowPacketAboveMinimumRateArrives() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config(
        "mqtt.connect-timeout", "1", "mqtt.min-packet-rate", "1000")));
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true);
    sub.subscribe("paced", QoS.AT_MOST_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    byte[] payload = new byte[4000];
    ByteBuffer wire = MqttEncoder.encode(new Publish("paced", payload, QoS.AT_MOST_ONCE, false,
        false, 0, Properties.EMPTY), ProtocolVersion.MQTT_5);

    // Exercise: 100 bytes every 50 ms, about 2,000 bytes/s over 2 s
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
      byte[] chunk = new byte[Math.min(100, wire.remaining())];
      wire.get(chunk);
      pub.sendBytes(ByteBuffer.wrap(chunk));
      return !wire.hasRemaining();
    });

    // Verify
    assertEquals(payload.length, sub.expect(Publish.class).payload().length);
    assertFalse(pub.isClosed());
    assertEquals(0, sut.flowStats().slowPacketsClosed());
  }

  @Test
  @DisplayName("[MQTT-3.1.2-22] bytes of a packet that never completes do not keep a client "
      + "alive: keep alive 1 s, one byte every 200 ms, closed after 1.5 s")
  void dribbledBytesDoNotRefreshKeepAlive() {
    sut = TestBrokers.started();
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_5);
    ConnAck ack = c.connectWith(new Connect(ProtocolVersion.MQTT_5, "dribbler", true, 1, null,
        null, null, null));
    assertEquals(ReasonCode.SUCCESS, ack.reasonCode());
    // A PUBLISH header announcing 1,000 bytes, then its body a byte at a time
    c.sendBytes(0x30, 0xE8, 0x07);

    // Exercise and verify
    await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(200)).until(() -> {
      c.sendBytes(0x00);
      return c.isClosed();
    });
  }
}
