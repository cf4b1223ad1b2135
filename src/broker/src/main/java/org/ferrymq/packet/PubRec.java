package org.ferrymq.packet;

import java.util.Objects;

/** PUBREC: reason code (SUCCESS for MQTT 3) and properties. */
public record PubRec(int packetId, ReasonCode reasonCode, Properties properties) implements Packet {

  public PubRec {
    PacketIds.require(packetId);
    Objects.requireNonNull(reasonCode, "reasonCode");
    properties = PacketIds.orEmpty(properties);
  }

  public PubRec(int packetId) {
    this(packetId, ReasonCode.SUCCESS, Properties.EMPTY);
  }

  @Override
  public PacketType type() {
    return PacketType.PUBREC;
  }
}
