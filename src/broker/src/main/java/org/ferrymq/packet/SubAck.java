package org.ferrymq.packet;

import java.util.List;

/** SUBACK: one reason code per requested filter, in order [MQTT-3.9.3-1]. */
public record SubAck(int packetId, List<ReasonCode> reasonCodes, Properties properties)
    implements Packet {

  public SubAck {
    PacketIds.require(packetId);
    reasonCodes = List.copyOf(reasonCodes);
    properties = PacketIds.orEmpty(properties);
  }

  @Override
  public PacketType type() {
    return PacketType.SUBACK;
  }
}
