package org.ferrymq.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MqttDecoder;
import org.ferrymq.codec.MqttEncoder;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.PubComp;
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The generator's own wire shortcuts agree with the codec. */
class WireFormatTest {
  private static final DecoderContext CLIENT =
      new DecoderContext(ProtocolVersion.MQTT_3_1_1, DecoderContext.MAX_PACKET_SIZE, false);

  @ParameterizedTest
  @ValueSource(ints = {1, 255, 256, 65535})
  void acknowledgementsMatchTheEncoder(int packetId) {
    Packet[] expected = {new PubAck(packetId), new PubRec(packetId), new PubRel(packetId),
        new PubComp(packetId)};
    int[] types = {Packets.PUBACK, Packets.PUBREC, Packets.PUBREL, Packets.PUBCOMP};
    for (int i = 0; i < types.length; i++) {
      byte[] sut = new byte[4];

      int end = Packets.writeAck(types[i], packetId, sut, 0);

      assertEquals(4, end);
      ByteBuffer enc = MqttEncoder.encode(expected[i], ProtocolVersion.MQTT_3_1_1);
      byte[] want = new byte[enc.remaining()];
      enc.get(want);
      assertArrayEquals(want, sut, expected[i].type().toString());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void templateDecodesWithPatchedIdAndTimestamp(int qosLevel) throws Exception {
    QoS qos = QoS.of(qosLevel);
    PublishTemplate sut = new PublishTemplate("bench/fanin/7", qos, 64);

    sut.set(0xBEEF, 0x0102_0304_0506_0708L, 42);

    Publish p = (Publish) MqttDecoder.decode(ByteBuffer.wrap(sut.bytes), CLIENT);
    assertEquals("bench/fanin/7", p.topic());
    assertEquals(qos, p.qos());
    assertEquals(qos == QoS.AT_MOST_ONCE ? 0 : 0xBEEF, p.packetId());
    assertEquals(64, p.payload().length);
    assertEquals(0x0102_0304_0506_0708L, Payload.nanos(p.payload(), 0));
    assertEquals(42, Payload.sequence(p.payload(), 0));
    // the scanner's view of the same bytes: body starts after the 2-byte fixed header
    assertEquals(sut.payloadOffset(), Packets.publishPayloadOffset(sut.bytes, 2, qosLevel));
    if (qosLevel > 0) {
      assertEquals(0xBEEF, Packets.publishPacketId(sut.bytes, 2));
    }
  }

  @Test
  void payloadRoundTripKeepsNegativeAndLargeValues() {
    byte[] sut = Payload.create(Payload.HEADER + 3);

    Payload.stamp(sut, 0, -5L, Long.MAX_VALUE);

    assertEquals(-5L, Payload.nanos(sut, 0));
    assertEquals(Long.MAX_VALUE, Payload.sequence(sut, 0));
    assertThrows(IllegalArgumentException.class, () -> Payload.create(Payload.HEADER - 1));
  }
}
