package org.ferrymq.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.ferrymq.codec.MqttEncoder;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;

/**
 * One PUBLISH encoded once by {@link MqttEncoder}, then patched in place for every send: packet
 * identifier, timestamp and sequence number. Owned by one publisher thread.
 */
final class PublishTemplate {
  final byte[] bytes;
  private final int packetIdOffset;
  private final int payloadOffset;

  PublishTemplate(String topic, QoS qos, int payloadSize) {
    Publish p = new Publish(topic, Payload.create(payloadSize), qos, false, false,
        qos == QoS.AT_MOST_ONCE ? 0 : 1, Properties.EMPTY);
    ByteBuffer b = MqttEncoder.encode(p, ProtocolVersion.MQTT_3_1_1);
    bytes = new byte[b.remaining()];
    b.get(bytes);
    int bodyOff = 1;
    while ((bytes[bodyOff++] & 0x80) != 0) {
      // skip the Remaining Length bytes
    }
    int topicEnd = bodyOff + 2 + topic.getBytes(StandardCharsets.UTF_8).length;
    packetIdOffset = qos == QoS.AT_MOST_ONCE ? -1 : topicEnd;
    payloadOffset = topicEnd + (qos == QoS.AT_MOST_ONCE ? 0 : 2);
  }

  /** Sets the packet identifier (ignored for QoS 0), the timestamp and the sequence number. */
  void set(int packetId, long nanos, long sequence) {
    if (packetIdOffset >= 0) {
      bytes[packetIdOffset] = (byte) (packetId >>> 8);
      bytes[packetIdOffset + 1] = (byte) packetId;
    }
    Payload.stamp(bytes, payloadOffset, nanos, sequence);
  }

  int payloadOffset() {
    return payloadOffset;
  }
}
