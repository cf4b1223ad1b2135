package org.ferrymq.packet;

import java.util.Objects;
import org.ferrymq.topic.Topics;

/** The Will Message of a CONNECT, with its Will Properties (empty for MQTT 3). */
public record Will(String topic, byte[] payload, QoS qos, boolean retain, Properties properties) {
  public Will {
    Topics.requireValidName(topic);
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(qos, "qos");
    properties = PacketIds.orEmpty(properties);
  }

  /** @return the MQTT 5 Will Delay Interval in seconds, 0 when absent */
  public long delayIntervalSeconds() {
    return properties.longOr(Property.WILL_DELAY_INTERVAL, 0);
  }
}
