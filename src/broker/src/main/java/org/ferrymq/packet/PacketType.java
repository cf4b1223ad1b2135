package org.ferrymq.packet;

/** The 4-bit control packet type in the fixed header. Value 0 is reserved and has no constant. */
public enum PacketType {
  CONNECT(1), CONNACK(2), PUBLISH(3), PUBACK(4), PUBREC(5), PUBREL(6), PUBCOMP(7), SUBSCRIBE(8),
  SUBACK(9), UNSUBSCRIBE(10), UNSUBACK(11), PINGREQ(12), PINGRESP(13), DISCONNECT(14), AUTH(15);

  private static final PacketType[] BY_VALUE = new PacketType[16];

  static {
    for (PacketType t : values()) {
      BY_VALUE[t.value] = t;
    }
  }

  private final int value;

  PacketType(int value) {
    this.value = value;
  }

  public int value() {
    return value;
  }

  /** @return the type for a 4-bit value, or {@code null} for the reserved value 0 */
  public static PacketType of(int value) {
    return BY_VALUE[value & 0x0F];
  }
}
