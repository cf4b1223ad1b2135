package org.ferrymq.packet;

import java.util.List;

/** UNSUBACK: one reason code per filter for MQTT 5; MQTT 3 sends none (the list is ignored). */
public record UnsubAck(int packetId, List<ReasonCode> reasonCodes, Properties properties)
    implements Packet {

  public UnsubAck {
    PacketIds.require(packetId);
    reasonCodes = List.copyOf(reasonCodes);
    properties = PacketIds.orEmpty(properties);
  }

  @Override
  public PacketType type() {
    return PacketType.UNSUBACK;
  }
}
