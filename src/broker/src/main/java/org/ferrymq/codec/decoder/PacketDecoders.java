package org.ferrymq.codec.decoder;

import org.ferrymq.packet.PacketType;

/** The decoder for each packet type, in a 16-slot table indexed by the type value. */
public final class PacketDecoders {
  private static final PacketDecoder[] BY_TYPE = new PacketDecoder[16];

  static {
    BY_TYPE[PacketType.CONNECT.value()] = ConnectDecoder.INSTANCE;
    BY_TYPE[PacketType.CONNACK.value()] = ConnAckDecoder.INSTANCE;
    BY_TYPE[PacketType.PUBLISH.value()] = PublishDecoder.INSTANCE;
    BY_TYPE[PacketType.PUBACK.value()] = AckDecoder.PUBACK;
    BY_TYPE[PacketType.PUBREC.value()] = AckDecoder.PUBREC;
    BY_TYPE[PacketType.PUBREL.value()] = AckDecoder.PUBREL;
    BY_TYPE[PacketType.PUBCOMP.value()] = AckDecoder.PUBCOMP;
    BY_TYPE[PacketType.SUBSCRIBE.value()] = SubscribeDecoder.INSTANCE;
    BY_TYPE[PacketType.SUBACK.value()] = SubAckDecoder.INSTANCE;
    BY_TYPE[PacketType.UNSUBSCRIBE.value()] = UnsubscribeDecoder.INSTANCE;
    BY_TYPE[PacketType.UNSUBACK.value()] = UnsubAckDecoder.INSTANCE;
    BY_TYPE[PacketType.PINGREQ.value()] = EmptyDecoder.PINGREQ;
    BY_TYPE[PacketType.PINGRESP.value()] = EmptyDecoder.PINGRESP;
    BY_TYPE[PacketType.DISCONNECT.value()] = DisconnectDecoder.INSTANCE;
    BY_TYPE[PacketType.AUTH.value()] = AuthDecoder.INSTANCE;
  }

  private PacketDecoders() {
  }

  /** @return the decoder for a type value 1..15 ({@code null} for the reserved 0) */
  public static PacketDecoder get(int type) {
    return BY_TYPE[type];
  }
}
