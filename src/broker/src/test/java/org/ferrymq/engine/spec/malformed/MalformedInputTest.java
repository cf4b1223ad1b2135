package org.ferrymq.engine.spec.malformed;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.ferrymq.codec.MqttEncoder;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.PingReq;
import org.ferrymq.packet.PingResp;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.SubAck;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The byte stream through the engine (MQTT 5 sections 2 and 4.13; 3.1.1 sections 2 and 4.8):
 * packets split and packed arbitrarily, malformed packets closing the connection with DISCONNECT
 * 0x81 for MQTT 5, and never an exception back to the transport.
 */
class MalformedInputTest {
  private final MqttBroker sut = TestBrokers.started();

  @AfterEach
  void stop() {
    sut.stop();
  }

  private static byte[] concat(ProtocolVersion v, org.ferrymq.packet.Packet... packets) {
    ByteBuffer all = ByteBuffer.allocate(4096);
    for (org.ferrymq.packet.Packet p : packets) {
      all.put(MqttEncoder.encode(p, v));
    }
    all.flip();
    byte[] out = new byte[all.remaining()];
    all.get(out);
    return out;
  }

  private static byte[] session(ProtocolVersion v) {
    return concat(v,
        new Connect(v, "self", true, 60, null, null, null, null),
        new Subscribe(1, List.of(new Subscription("echo", QoS.AT_MOST_ONCE)), Properties.EMPTY),
        new Publish("echo", "hi".getBytes(), QoS.AT_MOST_ONCE, false, false, 0, null),
        PingReq.INSTANCE);
  }

  private static void expectSessionAnswers(TestClient c) {
    assertEquals(ReasonCode.SUCCESS, c.expect(ConnAck.class).reasonCode());
    c.expect(SubAck.class);
    c.expectPublish("echo", "hi");
    c.expect(PingResp.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"MQTT_3_1", "MQTT_3_1_1", "MQTT_5"})
  @DisplayName("2.1.4: packets arriving one byte at a time are reassembled")
  void oneByteAtATime(ProtocolVersion version) {
    TestClient c = new TestClient(sut, version);

    for (byte b : session(version)) {
      c.sendBytes(ByteBuffer.wrap(new byte[] {b}));
    }

    expectSessionAnswers(c);
  }

  @ParameterizedTest
  @ValueSource(strings = {"MQTT_3_1_1", "MQTT_5"})
  @DisplayName("2.1.4: several packets in one read, including CONNECT, are processed in order")
  void packedIntoOneRead(ProtocolVersion version) {
    TestClient c = new TestClient(sut, version);

    c.sendBytes(ByteBuffer.wrap(session(version)));

    expectSessionAnswers(c);
  }

  @Test
  @DisplayName("2.1.4: reads split at arbitrary points, a packet spanning three reads")
  void splitAtArbitraryPoints() {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_5);
    byte[] all = session(ProtocolVersion.MQTT_5);

    int[] cuts = {3, 17, all.length - 2, all.length};
    int from = 0;
    for (int cut : cuts) {
      byte[] part = new byte[cut - from];
      System.arraycopy(all, from, part, 0, part.length);
      c.sendBytes(ByteBuffer.wrap(part));
      from = cut;
    }

    expectSessionAnswers(c);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // name | bytes after CONNECT (hex)
      "[MQTT-1.5.5-1] Remaining Length over four bytes | 30 FF FF FF FF 01",
      "[MQTT-1.5.5-1] Remaining Length not minimally encoded | 30 80 00",
      "[MQTT-3.6.1-1] PUBREL flags must be 0010 | 60 02 00 01",
      "[MQTT-3.8.1-1] SUBSCRIBE flags must be 0010 | 80 07 00 01 00 00 01 74 00",
      "[MQTT-3.10.1-1] UNSUBSCRIBE flags must be 0010 | A0 06 00 01 00 00 01 74",
      "[MQTT-2.1.3-1] PINGREQ flags must be 0000 | C1 00",
      "[MQTT-3.14.1-1] DISCONNECT flags must be 0000 | E2 00",
      "[MQTT-3.3.1-4] PUBLISH with QoS 3 | 36 06 00 01 74 00 01 00",
      "[MQTT-3.8.3-5] SUBSCRIBE options reserved bits | 82 07 00 01 00 00 01 74 C0",
      "[MQTT-1.5.4-2] topic with U+0000 | 30 05 00 02 74 00 00",
      "[MQTT-1.5.4-1] topic with a UTF-16 surrogate | 30 06 00 03 ED A0 80 00",
      "2.1.2 reserved packet type 0 | 00 00"})
  @DisplayName("[MQTT-4.13.1-1] a malformed packet closes the connection with DISCONNECT 0x81")
  void malformedPacketsCloseWithDisconnect0x81(String rule, String hex) {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "m", true);

    // Exercise
    assertDoesNotThrow(() -> c.sendBytes(bytes(hex)), rule);

    // Verify
    Disconnect d = c.expect(Disconnect.class);
    assertEquals(ReasonCode.MALFORMED_PACKET, d.reasonCode(), rule);
    c.awaitClosed(rule);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // name | bytes after CONNECT (hex)
      "[MQTT-3.3.4-6] client PUBLISH with a Subscription Identifier | 30 07 00 01 74 02 0B 01 78",
      "[MQTT-3.8.3-2] SUBSCRIBE without a filter (a Protocol Error in 3.8.3) | 82 03 00 01 00",
      "[MQTT-2.2.1-3] QoS 1 PUBLISH with packet id 0 | 32 06 00 01 74 00 00 00"})
  @DisplayName("[MQTT-4.13.1-1] a protocol error closes the connection with DISCONNECT 0x82")
  void protocolErrorsCloseWithDisconnect0x82(String rule, String hex) {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "m", true);

    assertDoesNotThrow(() -> c.sendBytes(bytes(hex)), rule);

    c.expectDisconnect(ReasonCode.PROTOCOL_ERROR, rule);
  }

  @Test
  @DisplayName("4.8 (3.1.1): a malformed packet closes a 3.1.1 connection without a DISCONNECT;"
      + " the Will is published")
  void v311MalformedPacketJustCloses() {
    TestClient watcher = TestClient.connect(sut, ProtocolVersion.MQTT_5, "watcher", true);
    watcher.subscribe("w", QoS.AT_MOST_ONCE);
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "m", true,
        TestClient.will("w", "bye", QoS.AT_MOST_ONCE, false, null), Properties.EMPTY);

    c.sendBytes(bytes("60 02 00 01"));

    c.awaitClosed("[MQTT-4.8.0-1]");
    c.expectNothing(sut);
    watcher.expectPublish("w", "bye");
  }

  @Test
  @DisplayName("[MQTT-4.13.1-1] random bytes never throw into the transport, and the broker keeps"
      + " serving other clients")
  void randomBytesNeverEscapeAsExceptions() {
    Random random = new Random(42);
    for (int i = 0; i < 200; i++) {
      TestClient c = new TestClient(sut, i % 2 == 0 ? ProtocolVersion.MQTT_5
          : ProtocolVersion.MQTT_3_1_1);
      byte[] prefix = i % 4 < 2 ? new byte[0] : session(c.version);
      byte[] noise = new byte[1 + random.nextInt(64)];
      random.nextBytes(noise);
      byte[] all = new byte[prefix.length + noise.length];
      System.arraycopy(prefix, 0, all, 0, prefix.length);
      System.arraycopy(noise, 0, all, prefix.length, noise.length);
      assertDoesNotThrow(() -> c.sendBytes(ByteBuffer.wrap(all)));
      assertDoesNotThrow(c::disconnectAbruptly);
    }
    TestBrokers.drainLanes(sut);

    TestClient healthy = TestClient.connect(sut, ProtocolVersion.MQTT_5, "healthy", true);
    healthy.subscribe("ok", QoS.AT_MOST_ONCE);
    healthy.publish("ok", "still fine", QoS.AT_MOST_ONCE, false);
    healthy.expectPublish("ok", "still fine");
    assertTrue(sut.longestLaneStall().toMillis() < 1000);
  }

  private static ByteBuffer bytes(String hex) {
    String[] parts = hex.trim().split("\\s+");
    byte[] b = new byte[parts.length];
    for (int i = 0; i < parts.length; i++) {
      b[i] = (byte) Integer.parseInt(parts[i], 16);
    }
    return ByteBuffer.wrap(b);
  }
}
