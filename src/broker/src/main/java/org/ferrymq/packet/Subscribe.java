package org.ferrymq.packet;

import java.util.List;

/** SUBSCRIBE: at least one subscription [MQTT-3.8.3-3]. */
public record Subscribe(int packetId, List<Subscription> subscriptions, Properties properties)
    implements Packet {

  public Subscribe {
    PacketIds.require(packetId);
    subscriptions = List.copyOf(subscriptions);
    if (subscriptions.isEmpty()) {
      throw new IllegalArgumentException("[MQTT-3.8.3-3] SUBSCRIBE needs at least one filter");
    }
    properties = PacketIds.orEmpty(properties);
  }

  @Override
  public PacketType type() {
    return PacketType.SUBSCRIBE;
  }
}
