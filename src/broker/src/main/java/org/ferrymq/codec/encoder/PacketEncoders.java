package org.ferrymq.codec.encoder;

import org.ferrymq.packet.Packet;
import org.ferrymq.packet.PacketType;

/** The encoder for each packet type, in a 16-slot table indexed by the type value. */
public final class PacketEncoders {
  private static final PacketEncoder<?>[] BY_TYPE = new PacketEncoder<?>[16];

  static {
    BY_TYPE[PacketType.CONNECT.value()] = ConnectEncoder.INSTANCE;
    BY_TYPE[PacketType.CONNACK.value()] = ConnAckEncoder.INSTANCE;
    BY_TYPE[PacketType.PUBLISH.value()] = PublishEncoder.INSTANCE;
    BY_TYPE[PacketType.PUBACK.value()] = AckEncoder.PUBACK;
    BY_TYPE[PacketType.PUBREC.value()] = AckEncoder.PUBREC;
    BY_TYPE[PacketType.PUBREL.value()] = AckEncoder.PUBREL;
    BY_TYPE[PacketType.PUBCOMP.value()] = AckEncoder.PUBCOMP;
    BY_TYPE[PacketType.SUBSCRIBE.value()] = SubscribeEncoder.INSTANCE;
    BY_TYPE[PacketType.SUBACK.value()] = SubAckEncoder.INSTANCE;
    BY_TYPE[PacketType.UNSUBSCRIBE.value()] = UnsubscribeEncoder.INSTANCE;
    BY_TYPE[PacketType.UNSUBACK.value()] = UnsubAckEncoder.INSTANCE;
    BY_TYPE[PacketType.PINGREQ.value()] = EmptyEncoder.INSTANCE;
    BY_TYPE[PacketType.PINGRESP.value()] = EmptyEncoder.INSTANCE;
    BY_TYPE[PacketType.DISCONNECT.value()] = ReasonEncoder.DISCONNECT;
    BY_TYPE[PacketType.AUTH.value()] = ReasonEncoder.AUTH;
  }

  private PacketEncoders() {
  }

  /** @return the encoder for the packet's type */
  @SuppressWarnings("unchecked")
  public static PacketEncoder<Packet> get(Packet packet) {
    return (PacketEncoder<Packet>) BY_TYPE[packet.type().value()];
  }
}
