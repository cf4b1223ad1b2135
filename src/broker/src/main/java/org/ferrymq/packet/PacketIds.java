package org.ferrymq.packet;

/** Packet identifier rules shared by the packet records. */
final class PacketIds {
  private PacketIds() {
  }

  /** [MQTT-2.2.1-3]: packets that need an identifier carry a non-zero 16-bit one. */
  static int require(int packetId) {
    if (packetId < 1 || packetId > 0xFFFF) {
      throw new IllegalArgumentException("packet identifier must be 1..65535, was " + packetId);
    }
    return packetId;
  }

  static Properties orEmpty(Properties p) {
    return p == null ? Properties.EMPTY : p;
  }
}
