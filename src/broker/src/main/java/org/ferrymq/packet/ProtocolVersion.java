package org.ferrymq.packet;

/** The protocol versions this broker speaks, with the name and level sent in CONNECT. */
public enum ProtocolVersion {
  MQTT_3_1("MQIsdp", 3),
  MQTT_3_1_1("MQTT", 4),
  MQTT_5("MQTT", 5);

  private final String protocolName;
  private final int level;

  ProtocolVersion(String protocolName, int level) {
    this.protocolName = protocolName;
    this.level = level;
  }

  public String protocolName() {
    return protocolName;
  }

  public int level() {
    return level;
  }

  public boolean isV5() {
    return this == MQTT_5;
  }

  /** @return the version for a name/level pair from CONNECT, or {@code null} when unsupported */
  public static ProtocolVersion of(String protocolName, int level) {
    for (ProtocolVersion v : values()) {
      if (v.level == level && v.protocolName.equals(protocolName)) {
        return v;
      }
    }
    return null;
  }
}
