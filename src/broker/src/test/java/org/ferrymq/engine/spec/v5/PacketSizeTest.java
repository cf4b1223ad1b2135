package org.ferrymq.engine.spec.v5;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Maximum Packet Size in both directions (MQTT 5 3.1.2.11.4 and 3.2.2.3.6). */
class PacketSizeTest {
  private final MqttBroker sut = TestBrokers.started(b -> b.config(TestBrokers.config(
      "mqtt.max-packet-size", "128")));

  @AfterEach
  void stop() {
    sut.stop();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  @DisplayName("[MQTT-3.1.2-24] a message too large for the client's Maximum Packet Size is not"
      + " sent; [MQTT-3.1.2-25] the next one is, as if the large one had been delivered")
  void messagesTooLargeForTheClientAreDropped(int qos) {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true, null,
        Properties.builder().put(Property.MAXIMUM_PACKET_SIZE, 40).build());
    sub.subscribe("s", QoS.of(qos));
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    // Exercise
    pub.publish("s", "x".repeat(60), QoS.of(qos), false);
    pub.publish("s", "small", QoS.of(qos), false);

    // Verify
    sub.expectPublish("s", "small");
    sub.expectNothing(sut);
    assertEquals(1, sut.stats().messagesDropped());
  }

  @Test
  @DisplayName("3.2.2.3.6: a packet larger than the broker's Maximum Packet Size: DISCONNECT"
      + " 0x95, announced in its fixed header before the body arrives")
  void packetTooLargeForTheBroker() {
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    // Exercise: only the fixed header of a 200-byte PUBLISH
    pub.sendBytes(0x30, 0xC8, 0x01);

    // Verify
    pub.expectDisconnect(ReasonCode.PACKET_TOO_LARGE, "3.2.2.3.6");
  }
}
