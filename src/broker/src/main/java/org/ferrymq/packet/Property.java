package org.ferrymq.packet;

import static org.ferrymq.packet.PacketType.AUTH;
import static org.ferrymq.packet.PacketType.CONNACK;
import static org.ferrymq.packet.PacketType.CONNECT;
import static org.ferrymq.packet.PacketType.DISCONNECT;
import static org.ferrymq.packet.PacketType.PUBACK;
import static org.ferrymq.packet.PacketType.PUBCOMP;
import static org.ferrymq.packet.PacketType.PUBLISH;
import static org.ferrymq.packet.PacketType.PUBREC;
import static org.ferrymq.packet.PacketType.PUBREL;
import static org.ferrymq.packet.PacketType.SUBACK;
import static org.ferrymq.packet.PacketType.SUBSCRIBE;
import static org.ferrymq.packet.PacketType.UNSUBACK;
import static org.ferrymq.packet.PacketType.UNSUBSCRIBE;

import java.util.EnumSet;
import java.util.Set;

/** MQTT 5 properties (spec 2.2.2.2): identifier, data type and where each may appear. */
public enum Property {
  PAYLOAD_FORMAT_INDICATOR(0x01, Type.BYTE, true, PUBLISH),
  MESSAGE_EXPIRY_INTERVAL(0x02, Type.FOUR_BYTE_INTEGER, true, PUBLISH),
  CONTENT_TYPE(0x03, Type.UTF8_STRING, true, PUBLISH),
  RESPONSE_TOPIC(0x08, Type.UTF8_STRING, true, PUBLISH),
  CORRELATION_DATA(0x09, Type.BINARY_DATA, true, PUBLISH),
  SUBSCRIPTION_IDENTIFIER(0x0B, Type.VARIABLE_BYTE_INTEGER, false, PUBLISH, SUBSCRIBE),
  SESSION_EXPIRY_INTERVAL(0x11, Type.FOUR_BYTE_INTEGER, false, CONNECT, CONNACK, DISCONNECT),
  ASSIGNED_CLIENT_IDENTIFIER(0x12, Type.UTF8_STRING, false, CONNACK),
  SERVER_KEEP_ALIVE(0x13, Type.TWO_BYTE_INTEGER, false, CONNACK),
  AUTHENTICATION_METHOD(0x15, Type.UTF8_STRING, false, CONNECT, CONNACK, AUTH),
  AUTHENTICATION_DATA(0x16, Type.BINARY_DATA, false, CONNECT, CONNACK, AUTH),
  REQUEST_PROBLEM_INFORMATION(0x17, Type.BYTE, false, CONNECT),
  WILL_DELAY_INTERVAL(0x18, Type.FOUR_BYTE_INTEGER, true),
  REQUEST_RESPONSE_INFORMATION(0x19, Type.BYTE, false, CONNECT),
  RESPONSE_INFORMATION(0x1A, Type.UTF8_STRING, false, CONNACK),
  SERVER_REFERENCE(0x1C, Type.UTF8_STRING, false, CONNACK, DISCONNECT),
  REASON_STRING(0x1F, Type.UTF8_STRING, false,
      CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, DISCONNECT, AUTH),
  RECEIVE_MAXIMUM(0x21, Type.TWO_BYTE_INTEGER, false, CONNECT, CONNACK),
  TOPIC_ALIAS_MAXIMUM(0x22, Type.TWO_BYTE_INTEGER, false, CONNECT, CONNACK),
  TOPIC_ALIAS(0x23, Type.TWO_BYTE_INTEGER, false, PUBLISH),
  MAXIMUM_QOS(0x24, Type.BYTE, false, CONNACK),
  RETAIN_AVAILABLE(0x25, Type.BYTE, false, CONNACK),
  USER_PROPERTY(0x26, Type.UTF8_STRING_PAIR, true, EnumSet.allOf(PacketType.class)),
  MAXIMUM_PACKET_SIZE(0x27, Type.FOUR_BYTE_INTEGER, false, CONNECT, CONNACK),
  WILDCARD_SUBSCRIPTION_AVAILABLE(0x28, Type.BYTE, false, CONNACK),
  SUBSCRIPTION_IDENTIFIER_AVAILABLE(0x29, Type.BYTE, false, CONNACK),
  SHARED_SUBSCRIPTION_AVAILABLE(0x2A, Type.BYTE, false, CONNACK);

  /** Wire data types of property values (spec 1.5). */
  public enum Type {
    BYTE, TWO_BYTE_INTEGER, FOUR_BYTE_INTEGER, VARIABLE_BYTE_INTEGER, UTF8_STRING, BINARY_DATA,
    UTF8_STRING_PAIR
  }

  private static final Property[] BY_ID = new Property[0x80];

  static {
    for (Property p : values()) {
      BY_ID[p.id] = p;
    }
  }

  private final int id;
  private final Type type;
  private final boolean allowedInWill;
  private final Set<PacketType> allowedIn;

  Property(int id, Type type, boolean allowedInWill, PacketType... allowedIn) {
    this(id, type, allowedInWill, allowedIn.length == 0
        ? EnumSet.noneOf(PacketType.class) : EnumSet.of(allowedIn[0], allowedIn));
  }

  Property(int id, Type type, boolean allowedInWill, Set<PacketType> allowedIn) {
    this.id = id;
    this.type = type;
    this.allowedInWill = allowedInWill;
    this.allowedIn = allowedIn;
  }

  public int id() {
    return id;
  }

  public Type type() {
    return type;
  }

  /** @return whether the property may appear in the given packet's properties */
  public boolean allowedIn(PacketType packetType) {
    return allowedIn.contains(packetType);
  }

  /** @return whether the property may appear in the Will Properties of CONNECT */
  public boolean allowedInWill() {
    return allowedInWill;
  }

  /** @return whether the property may appear more than once (user property, subscription id) */
  public boolean repeatable() {
    return this == USER_PROPERTY || this == SUBSCRIPTION_IDENTIFIER;
  }

  /** @return the property for an identifier, or {@code null} if none is defined */
  public static Property of(int id) {
    return id < 0 || id >= BY_ID.length ? null : BY_ID[id];
  }
}
