package org.ferrymq.packet;

import java.util.Objects;
import org.ferrymq.topic.Topics;

/**
 * PUBLISH as on the wire: the message fields plus packet identifier, DUP and properties
 * (which may carry a Topic Alias; then {@code topic} may be empty). {@code packetId} is 0 for QoS 0.
 */
public record Publish(String topic, byte[] payload, QoS qos, boolean retain, boolean dup,
    int packetId, Properties properties) implements Packet {

  public Publish {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(qos, "qos");
    properties = PacketIds.orEmpty(properties);
    if (topic.isEmpty()) {
      if (!properties.has(Property.TOPIC_ALIAS)) {
        throw new IllegalArgumentException("[MQTT-3.3.2-1] empty topic name without topic alias");
      }
    } else {
      Topics.requireValidName(topic);
    }
    if (qos == QoS.AT_MOST_ONCE) {
      if (dup) {
        throw new IllegalArgumentException("[MQTT-3.3.1-2] DUP must be 0 for QoS 0");
      }
      if (packetId != 0) {
        throw new IllegalArgumentException("[MQTT-2.2.1-2] QoS 0 PUBLISH has no packet identifier");
      }
    } else {
      PacketIds.require(packetId);
    }
  }

  /** @return a copy with another packet identifier and DUP flag, sharing payload and properties */
  public Publish withDelivery(int newPacketId, boolean newDup) {
    return new Publish(topic, payload, qos, retain, newDup, newPacketId, properties);
  }

  @Override
  public PacketType type() {
    return PacketType.PUBLISH;
  }
}
