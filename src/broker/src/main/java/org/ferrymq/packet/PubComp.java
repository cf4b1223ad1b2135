package org.ferrymq.packet;

import java.util.Objects;

/** PUBCOMP: reason code (SUCCESS for MQTT 3) and properties. */
public record PubComp(int packetId, ReasonCode reasonCode, Properties properties) implements Packet {

  public PubComp {
    PacketIds.require(packetId);
    Objects.requireNonNull(reasonCode, "reasonCode");
    properties = PacketIds.orEmpty(properties);
  }

  public PubComp(int packetId) {
    this(packetId, ReasonCode.SUCCESS, Properties.EMPTY);
  }

  @Override
  public PacketType type() {
    return PacketType.PUBCOMP;
  }
}
