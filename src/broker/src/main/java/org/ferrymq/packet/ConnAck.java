package org.ferrymq.packet;

import java.util.Objects;

/** CONNACK. For MQTT 3 the reason code is mapped to a return code by the encoder. */
public record ConnAck(boolean sessionPresent, ReasonCode reasonCode, Properties properties)
    implements Packet {

  public ConnAck {
    Objects.requireNonNull(reasonCode, "reasonCode");
    if (sessionPresent && reasonCode != ReasonCode.SUCCESS) {
      throw new IllegalArgumentException("[MQTT-3.2.2-6] session present must be 0 on refusal");
    }
    properties = PacketIds.orEmpty(properties);
  }

  @Override
  public PacketType type() {
    return PacketType.CONNACK;
  }
}
