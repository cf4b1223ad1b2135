package org.ferrymq.packet;

import java.util.Objects;

/** AUTH (MQTT 5 only): SUCCESS, CONTINUE_AUTHENTICATION or RE_AUTHENTICATE. */
public record Auth(ReasonCode reasonCode, Properties properties) implements Packet {
  public Auth {
    Objects.requireNonNull(reasonCode, "reasonCode");
    if (reasonCode != ReasonCode.SUCCESS && reasonCode != ReasonCode.CONTINUE_AUTHENTICATION
        && reasonCode != ReasonCode.RE_AUTHENTICATE) {
      throw new IllegalArgumentException("[MQTT-3.15.2-1] invalid AUTH reason code " + reasonCode);
    }
    properties = PacketIds.orEmpty(properties);
  }

  @Override
  public PacketType type() {
    return PacketType.AUTH;
  }
}
