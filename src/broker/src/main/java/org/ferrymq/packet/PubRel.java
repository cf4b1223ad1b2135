package org.ferrymq.packet;

import java.util.Objects;

/** PUBREL: reason code (SUCCESS for MQTT 3) and properties. */
public record PubRel(int packetId, ReasonCode reasonCode, Properties properties) implements Packet {

  public PubRel {
    PacketIds.require(packetId);
    Objects.requireNonNull(reasonCode, "reasonCode");
    properties = PacketIds.orEmpty(properties);
  }

  public PubRel(int packetId) {
    this(packetId, ReasonCode.SUCCESS, Properties.EMPTY);
  }

  @Override
  public PacketType type() {
    return PacketType.PUBREL;
  }
}
