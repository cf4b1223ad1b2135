package org.ferrymq.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link MqttEncoder#encodePublish} writes exactly what encoding the equal record writes. */
class EncodePublishFieldsTest {

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  void sameBytesAsTheRecordPath(ProtocolVersion version) {
    Properties props = Properties.builder().put(Property.CONTENT_TYPE, "text/plain")
        .userProperty("k", "v").build();
    for (QoS qos : QoS.values()) {
      for (boolean retain : new boolean[] {false, true}) {
        boolean dup = qos != QoS.AT_MOST_ONCE && retain;
        int id = qos == QoS.AT_MOST_ONCE ? 0 : 65535;
        Publish p = new Publish("a/b/ü", new byte[] {1, 2, 3}, qos, retain, dup, id, props);

        ByteBuffer sut = MqttEncoder.encodePublish(p.topic(), p.payload(), qos, retain, dup, id,
            props, version, Integer.MAX_VALUE);

        assertEquals(MqttEncoder.encode(p, version), sut, version + " " + qos + " " + retain);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  void nullWhenOverTheMaximumPacketSize(ProtocolVersion version) {
    Publish p = new Publish("t", new byte[100], QoS.AT_LEAST_ONCE, false, false, 1,
        Properties.EMPTY);
    int size = MqttEncoder.encodedSize(p, version);

    assertEquals(size, MqttEncoder.encodePublish("t", new byte[100], QoS.AT_LEAST_ONCE, false,
        false, 1, Properties.EMPTY, version, size).remaining());
    assertNull(MqttEncoder.encodePublish("t", new byte[100], QoS.AT_LEAST_ONCE, false, false, 1,
        Properties.EMPTY, version, size - 1));
  }
}
