package org.ferrymq.packet;

import java.util.Objects;

/** DISCONNECT; MQTT 3 carries neither reason code nor properties (SUCCESS and empty). */
public record Disconnect(ReasonCode reasonCode, Properties properties) implements Packet {
  public static final Disconnect NORMAL = new Disconnect(ReasonCode.SUCCESS, Properties.EMPTY);

  public Disconnect {
    Objects.requireNonNull(reasonCode, "reasonCode");
    properties = PacketIds.orEmpty(properties);
  }

  @Override
  public PacketType type() {
    return PacketType.DISCONNECT;
  }
}
