package org.ferrymq.packet;

/** PINGREQ: no variable header, no payload. */
public record PingReq() implements Packet {
  public static final PingReq INSTANCE = new PingReq();

  @Override
  public PacketType type() {
    return PacketType.PINGREQ;
  }
}
