package org.ferrymq.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.ferrymq.codec.MqttEncoder;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
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
    assertTrue(growths <= 25, "the partial-packet buffer was replaced " + growths + " times");
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
