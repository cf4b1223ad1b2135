package org.ferrymq.packet;

import java.util.Objects;

/** PUBACK: reason code (SUCCESS for MQTT 3) and properties. */
public record PubAck(int packetId, ReasonCode reasonCode, Properties properties) implements Packet {

  public PubAck {
    PacketIds.require(packetId);
    Objects.requireNonNull(reasonCode, "reasonCode");
    properties = PacketIds.orEmpty(properties);
  }

  public PubAck(int packetId) {
    this(packetId, ReasonCode.SUCCESS, Properties.EMPTY);
  }

  @Override
  public PacketType type() {
    return PacketType.PUBACK;
  }
}
