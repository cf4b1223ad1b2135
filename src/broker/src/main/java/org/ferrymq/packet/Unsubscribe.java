package org.ferrymq.packet;

import java.util.List;
import org.ferrymq.topic.Topics;

/** UNSUBSCRIBE: at least one topic filter [MQTT-3.10.3-2]. */
public record Unsubscribe(int packetId, List<String> filters, Properties properties)
    implements Packet {

  public Unsubscribe {
    PacketIds.require(packetId);
    filters = List.copyOf(filters);
    if (filters.isEmpty()) {
      throw new IllegalArgumentException("[MQTT-3.10.3-2] UNSUBSCRIBE needs at least one filter");
    }
    filters.forEach(Topics::requireValidFilter);
    properties = PacketIds.orEmpty(properties);
  }

  @Override
  public PacketType type() {
    return PacketType.UNSUBSCRIBE;
  }
}
