package org.ferrymq.packet;

/**
 * MQTT 5 reason codes (spec 2.4). Value 0x00 is Success, Normal disconnection and Granted QoS 0
 * at once; it has the single constant {@link #SUCCESS}. MQTT 3 return codes are mapped by the
 * encoder (see {@link #v3ConnectReturnCode()} and {@link #v3SubAckReturnCode()}).
 */
public enum ReasonCode {
  SUCCESS(0x00),
  GRANTED_QOS_1(0x01),
  GRANTED_QOS_2(0x02),
  DISCONNECT_WITH_WILL(0x04),
  NO_MATCHING_SUBSCRIBERS(0x10),
  NO_SUBSCRIPTION_EXISTED(0x11),
  CONTINUE_AUTHENTICATION(0x18),
  RE_AUTHENTICATE(0x19),
  UNSPECIFIED_ERROR(0x80),
  MALFORMED_PACKET(0x81),
  PROTOCOL_ERROR(0x82),
  IMPLEMENTATION_SPECIFIC_ERROR(0x83),
  UNSUPPORTED_PROTOCOL_VERSION(0x84),
  CLIENT_IDENTIFIER_NOT_VALID(0x85),
  BAD_USER_NAME_OR_PASSWORD(0x86),
  NOT_AUTHORIZED(0x87),
  SERVER_UNAVAILABLE(0x88),
  SERVER_BUSY(0x89),
  BANNED(0x8A),
  SERVER_SHUTTING_DOWN(0x8B),
  BAD_AUTHENTICATION_METHOD(0x8C),
  KEEP_ALIVE_TIMEOUT(0x8D),
  SESSION_TAKEN_OVER(0x8E),
  TOPIC_FILTER_INVALID(0x8F),
  TOPIC_NAME_INVALID(0x90),
  PACKET_IDENTIFIER_IN_USE(0x91),
  PACKET_IDENTIFIER_NOT_FOUND(0x92),
  RECEIVE_MAXIMUM_EXCEEDED(0x93),
  TOPIC_ALIAS_INVALID(0x94),
  PACKET_TOO_LARGE(0x95),
  MESSAGE_RATE_TOO_HIGH(0x96),
  QUOTA_EXCEEDED(0x97),
  ADMINISTRATIVE_ACTION(0x98),
  PAYLOAD_FORMAT_INVALID(0x99),
  RETAIN_NOT_SUPPORTED(0x9A),
  QOS_NOT_SUPPORTED(0x9B),
  USE_ANOTHER_SERVER(0x9C),
  SERVER_MOVED(0x9D),
  SHARED_SUBSCRIPTIONS_NOT_SUPPORTED(0x9E),
  CONNECTION_RATE_EXCEEDED(0x9F),
  MAXIMUM_CONNECT_TIME(0xA0),
  SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED(0xA1),
  WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED(0xA2);

  private static final ReasonCode[] BY_VALUE = new ReasonCode[256];

  static {
    for (ReasonCode c : values()) {
      BY_VALUE[c.value] = c;
    }
  }

  private final int value;

  ReasonCode(int value) {
    this.value = value;
  }

  public int value() {
    return value;
  }

  public boolean isError() {
    return value >= 0x80;
  }

  /** @return the code for a byte value, or {@code null} if the value is not a defined reason code */
  public static ReasonCode of(int value) {
    return value < 0 || value > 255 ? null : BY_VALUE[value];
  }

  /** @return the reason code granting the given QoS in SUBACK */
  public static ReasonCode granted(QoS qos) {
    return switch (qos) {
      case AT_MOST_ONCE -> SUCCESS;
      case AT_LEAST_ONCE -> GRANTED_QOS_1;
      case EXACTLY_ONCE -> GRANTED_QOS_2;
    };
  }

  /** MQTT 3.1.1 table 3.1: CONNACK return codes 0 to 5. */
  public int v3ConnectReturnCode() {
    return switch (this) {
      case SUCCESS -> 0;
      case UNSUPPORTED_PROTOCOL_VERSION -> 1;
      case CLIENT_IDENTIFIER_NOT_VALID -> 2;
      // A server-side cap (0x97) is the server being unavailable to this client, not a denial
      case SERVER_UNAVAILABLE, SERVER_BUSY, SERVER_SHUTTING_DOWN, USE_ANOTHER_SERVER, SERVER_MOVED,
          CONNECTION_RATE_EXCEEDED, QUOTA_EXCEEDED -> 3;
      case BAD_USER_NAME_OR_PASSWORD, BAD_AUTHENTICATION_METHOD -> 4;
      default -> 5;
    };
  }

  /** @return the reason code for an MQTT 3 CONNACK return code, or {@code null} if out of range */
  public static ReasonCode fromV3ConnectReturnCode(int code) {
    return switch (code) {
      case 0 -> SUCCESS;
      case 1 -> UNSUPPORTED_PROTOCOL_VERSION;
      case 2 -> CLIENT_IDENTIFIER_NOT_VALID;
      case 3 -> SERVER_UNAVAILABLE;
      case 4 -> BAD_USER_NAME_OR_PASSWORD;
      case 5 -> NOT_AUTHORIZED;
      default -> null;
    };
  }

  /** MQTT 3.1.1 3.9.3: 0, 1, 2 or 0x80 for failure. */
  public int v3SubAckReturnCode() {
    return value <= 2 ? value : 0x80;
  }
}
