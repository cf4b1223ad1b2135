package org.ferrymq.packet;

/** PINGRESP: no variable header, no payload. */
public record PingResp() implements Packet {
  public static final PingResp INSTANCE = new PingResp();

  @Override
  public PacketType type() {
    return PacketType.PINGRESP;
  }
}
