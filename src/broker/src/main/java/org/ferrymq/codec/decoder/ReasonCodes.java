package org.ferrymq.codec.decoder;

import static org.ferrymq.codec.MalformedPacketException.malformed;
import static org.ferrymq.packet.ReasonCode.ADMINISTRATIVE_ACTION;
import static org.ferrymq.packet.ReasonCode.BAD_AUTHENTICATION_METHOD;
import static org.ferrymq.packet.ReasonCode.BAD_USER_NAME_OR_PASSWORD;
import static org.ferrymq.packet.ReasonCode.BANNED;
import static org.ferrymq.packet.ReasonCode.CLIENT_IDENTIFIER_NOT_VALID;
import static org.ferrymq.packet.ReasonCode.CONNECTION_RATE_EXCEEDED;
import static org.ferrymq.packet.ReasonCode.CONTINUE_AUTHENTICATION;
import static org.ferrymq.packet.ReasonCode.DISCONNECT_WITH_WILL;
import static org.ferrymq.packet.ReasonCode.GRANTED_QOS_1;
import static org.ferrymq.packet.ReasonCode.GRANTED_QOS_2;
import static org.ferrymq.packet.ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR;
import static org.ferrymq.packet.ReasonCode.KEEP_ALIVE_TIMEOUT;
import static org.ferrymq.packet.ReasonCode.MALFORMED_PACKET;
import static org.ferrymq.packet.ReasonCode.MAXIMUM_CONNECT_TIME;
import static org.ferrymq.packet.ReasonCode.MESSAGE_RATE_TOO_HIGH;
import static org.ferrymq.packet.ReasonCode.NOT_AUTHORIZED;
import static org.ferrymq.packet.ReasonCode.NO_MATCHING_SUBSCRIBERS;
import static org.ferrymq.packet.ReasonCode.NO_SUBSCRIPTION_EXISTED;
import static org.ferrymq.packet.ReasonCode.PACKET_IDENTIFIER_IN_USE;
import static org.ferrymq.packet.ReasonCode.PACKET_IDENTIFIER_NOT_FOUND;
import static org.ferrymq.packet.ReasonCode.PACKET_TOO_LARGE;
import static org.ferrymq.packet.ReasonCode.PAYLOAD_FORMAT_INVALID;
import static org.ferrymq.packet.ReasonCode.PROTOCOL_ERROR;
import static org.ferrymq.packet.ReasonCode.QOS_NOT_SUPPORTED;
import static org.ferrymq.packet.ReasonCode.QUOTA_EXCEEDED;
import static org.ferrymq.packet.ReasonCode.RECEIVE_MAXIMUM_EXCEEDED;
import static org.ferrymq.packet.ReasonCode.RETAIN_NOT_SUPPORTED;
import static org.ferrymq.packet.ReasonCode.RE_AUTHENTICATE;
import static org.ferrymq.packet.ReasonCode.SERVER_BUSY;
import static org.ferrymq.packet.ReasonCode.SERVER_MOVED;
import static org.ferrymq.packet.ReasonCode.SERVER_SHUTTING_DOWN;
import static org.ferrymq.packet.ReasonCode.SERVER_UNAVAILABLE;
import static org.ferrymq.packet.ReasonCode.SESSION_TAKEN_OVER;
import static org.ferrymq.packet.ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED;
import static org.ferrymq.packet.ReasonCode.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED;
import static org.ferrymq.packet.ReasonCode.SUCCESS;
import static org.ferrymq.packet.ReasonCode.TOPIC_ALIAS_INVALID;
import static org.ferrymq.packet.ReasonCode.TOPIC_FILTER_INVALID;
import static org.ferrymq.packet.ReasonCode.TOPIC_NAME_INVALID;
import static org.ferrymq.packet.ReasonCode.UNSPECIFIED_ERROR;
import static org.ferrymq.packet.ReasonCode.UNSUPPORTED_PROTOCOL_VERSION;
import static org.ferrymq.packet.ReasonCode.USE_ANOTHER_SERVER;
import static org.ferrymq.packet.ReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Set;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.wire.Decoding;
import org.ferrymq.packet.ReasonCode;

/** The MQTT 5 reason codes each packet may carry (spec 2.4 and the packet sections). */
final class ReasonCodes {
  static final Set<ReasonCode> CONNACK = EnumSet.of(SUCCESS, UNSPECIFIED_ERROR, MALFORMED_PACKET,
      PROTOCOL_ERROR, IMPLEMENTATION_SPECIFIC_ERROR, UNSUPPORTED_PROTOCOL_VERSION,
      CLIENT_IDENTIFIER_NOT_VALID, BAD_USER_NAME_OR_PASSWORD, NOT_AUTHORIZED, SERVER_UNAVAILABLE,
      SERVER_BUSY, BANNED, BAD_AUTHENTICATION_METHOD, TOPIC_NAME_INVALID, PACKET_TOO_LARGE,
      QUOTA_EXCEEDED, PAYLOAD_FORMAT_INVALID, RETAIN_NOT_SUPPORTED, QOS_NOT_SUPPORTED,
      USE_ANOTHER_SERVER, SERVER_MOVED, CONNECTION_RATE_EXCEEDED);
  /** PUBACK and PUBREC. */
  static final Set<ReasonCode> PUBACK = EnumSet.of(SUCCESS, NO_MATCHING_SUBSCRIBERS,
      UNSPECIFIED_ERROR, IMPLEMENTATION_SPECIFIC_ERROR, NOT_AUTHORIZED, TOPIC_NAME_INVALID,
      PACKET_IDENTIFIER_IN_USE, QUOTA_EXCEEDED, PAYLOAD_FORMAT_INVALID);
  /** PUBREL and PUBCOMP. */
  static final Set<ReasonCode> PUBREL = EnumSet.of(SUCCESS, PACKET_IDENTIFIER_NOT_FOUND);
  static final Set<ReasonCode> SUBACK = EnumSet.of(SUCCESS, GRANTED_QOS_1, GRANTED_QOS_2,
      UNSPECIFIED_ERROR, IMPLEMENTATION_SPECIFIC_ERROR, NOT_AUTHORIZED, TOPIC_FILTER_INVALID,
      PACKET_IDENTIFIER_IN_USE, QUOTA_EXCEEDED, SHARED_SUBSCRIPTIONS_NOT_SUPPORTED,
      SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED, WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED);
  static final Set<ReasonCode> UNSUBACK = EnumSet.of(SUCCESS, NO_SUBSCRIPTION_EXISTED,
      UNSPECIFIED_ERROR, IMPLEMENTATION_SPECIFIC_ERROR, NOT_AUTHORIZED, TOPIC_FILTER_INVALID,
      PACKET_IDENTIFIER_IN_USE);
  static final Set<ReasonCode> DISCONNECT = EnumSet.of(SUCCESS, DISCONNECT_WITH_WILL,
      UNSPECIFIED_ERROR, MALFORMED_PACKET, PROTOCOL_ERROR, IMPLEMENTATION_SPECIFIC_ERROR,
      NOT_AUTHORIZED, SERVER_BUSY, SERVER_SHUTTING_DOWN, KEEP_ALIVE_TIMEOUT, SESSION_TAKEN_OVER,
      TOPIC_FILTER_INVALID, TOPIC_NAME_INVALID, RECEIVE_MAXIMUM_EXCEEDED, TOPIC_ALIAS_INVALID,
      PACKET_TOO_LARGE, MESSAGE_RATE_TOO_HIGH, QUOTA_EXCEEDED, ADMINISTRATIVE_ACTION,
      PAYLOAD_FORMAT_INVALID, RETAIN_NOT_SUPPORTED, QOS_NOT_SUPPORTED, USE_ANOTHER_SERVER,
      SERVER_MOVED, SHARED_SUBSCRIPTIONS_NOT_SUPPORTED, CONNECTION_RATE_EXCEEDED,
      MAXIMUM_CONNECT_TIME, SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED,
      WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED);
  static final Set<ReasonCode> AUTH = EnumSet.of(SUCCESS, CONTINUE_AUTHENTICATION,
      RE_AUTHENTICATE);

  private ReasonCodes() {
  }

  /** Reads one reason code byte that must be in {@code allowed}, else MALFORMED_PACKET. */
  static ReasonCode read(ByteBuffer body, Set<ReasonCode> allowed, String packet)
      throws MalformedPacketException {
    int v = Decoding.readUnsignedByte(body, packet + " reason code");
    ReasonCode rc = ReasonCode.of(v);
    if (rc == null || !allowed.contains(rc)) {
      throw malformed(String.format("reason code 0x%02X is not valid in %s (spec 2.4)", v,
          packet));
    }
    return rc;
  }
}
