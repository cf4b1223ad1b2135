package org.ferrymq.codec;

import static org.ferrymq.codec.Packets.bytes;
import static org.ferrymq.codec.Packets.client;
import static org.ferrymq.codec.Packets.server;
import static org.ferrymq.packet.ProtocolVersion.MQTT_3_1;
import static org.ferrymq.packet.ProtocolVersion.MQTT_3_1_1;
import static org.ferrymq.packet.ProtocolVersion.MQTT_5;
import static org.ferrymq.packet.ReasonCode.MALFORMED_PACKET;
import static org.ferrymq.packet.ReasonCode.PAYLOAD_FORMAT_INVALID;
import static org.ferrymq.packet.ReasonCode.PROTOCOL_ERROR;
import static org.ferrymq.packet.ReasonCode.TOPIC_ALIAS_INVALID;
import static org.ferrymq.packet.ReasonCode.TOPIC_FILTER_INVALID;
import static org.ferrymq.packet.ReasonCode.TOPIC_NAME_INVALID;
import static org.ferrymq.packet.ReasonCode.UNSUPPORTED_PROTOCOL_VERSION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ferrymq.packet.ReasonCode;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One test per rule the decoder enforces, named after the normative statement (or spec section
 * where the statement has no id). Each fixture is the smallest packet breaking just that rule.
 */
class MalformedPacketTest {
  private static final DecoderContext BEFORE_CONNECT =
      DecoderContext.beforeConnect(Packets.NO_LIMIT);

  private static MalformedPacketException rejected(ReasonCode expected, DecoderContext ctx,
      int... packet) {
    MalformedPacketException e = assertThrows(MalformedPacketException.class,
        () -> MqttDecoder.decode(bytes(packet), ctx));
    assertEquals(expected, e.reasonCode(), e.getMessage());
    assertNotNull(e.getMessage());
    return e;
  }

  private static void rejectedWithId(ReasonCode expected, String specId, DecoderContext ctx,
      int... packet) {
    MalformedPacketException e = rejected(expected, ctx, packet);
    assertTrue(e.getMessage().contains(specId), e.getMessage());
  }

  @Nested
  class FixedHeader {
    @Test
    void packetType0IsReserved() {
      rejected(MALFORMED_PACKET, server(MQTT_5), 0x00, 0);
    }

    @Test
    void remainingLengthLongerThanFourBytes() {
      rejected(MALFORMED_PACKET, server(MQTT_5), 0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01);
    }

    @Test
    void mqtt_1_5_5_1_remainingLengthNotMinimal() {
      rejectedWithId(MALFORMED_PACKET, "[MQTT-1.5.5-1]", server(MQTT_5),
          0xC0, // PINGREQ
          0x80, 0x00); // remaining length 0 in two bytes
    }

    @ParameterizedTest(name = "first byte 0x{0}")
    @ValueSource(strings = {"11", "22", "41", "52", "60", "63", "71", "80", "81", "98", "A0", "B1",
        "C8", "D1", "E2", "F1"})
    void mqtt_2_1_3_1_reservedFlagsMustMatch(String firstByte) {
      int first = Integer.parseInt(firstByte, 16);
      rejectedWithId(MALFORMED_PACKET, "[MQTT-2.1.3-1]",
          first >> 4 == 1 ? BEFORE_CONNECT : client(MQTT_5),
          first, 2, 0, 1);
    }

    @Test
    void mqtt31AllowsDupOnPubRelSubscribeUnsubscribe() throws Exception {
      assertNotNull(MqttDecoder.decode(bytes(0x6A, 2, 0, 1), server(MQTT_3_1)));
      rejected(MALFORMED_PACKET, server(MQTT_3_1_1), 0x6A, 2, 0, 1);
    }

    @Test
    void mqtt_3_1_0_1_firstPacketMustBeConnect() {
      rejectedWithId(PROTOCOL_ERROR, "[MQTT-3.1.0-1]", BEFORE_CONNECT, 0xC0, 0);
    }

    @Test
    void mqtt_3_1_0_1_nonConnectRejectedFromItsFirstByte() {
      rejectedWithId(PROTOCOL_ERROR, "[MQTT-3.1.0-1]", BEFORE_CONNECT, 0x30);
    }

    @Test
    void authIsReservedInMqtt3() {
      rejected(MALFORMED_PACKET, server(MQTT_3_1_1), 0xF0, 0);
    }

    @Test
    void bodyShorterThanItsFields() {
      rejected(MALFORMED_PACKET, server(MQTT_3_1_1), 0x40, 1, 0); // PUBACK with 1-byte id
    }
  }

  @Nested
  class Connect {
    /** MQTT 5 CONNECT header up to the connect flags, remaining length {@code rl}. */
    private int[] v5(int rl, int flags, int... rest) {
      int[] head = {0x10, rl, 0, 4, 'M', 'Q', 'T', 'T', 5, flags, 0, 0};
      int[] out = new int[head.length + rest.length];
      System.arraycopy(head, 0, out, 0, head.length);
      System.arraycopy(rest, 0, out, head.length, rest.length);
      return out;
    }

    private int[] v311(int rl, int flags, int... rest) {
      int[] out = v5(rl, flags, rest);
      out[8] = 4;
      return out;
    }

    @Test
    void mqtt_3_1_0_2_secondConnectIsProtocolError() {
      rejectedWithId(PROTOCOL_ERROR, "[MQTT-3.1.0-2]", server(MQTT_5),
          v311(12, 0x02, 0, 0));
    }

    @Test
    void mqtt_3_1_2_1_unknownProtocolName() {
      rejected(UNSUPPORTED_PROTOCOL_VERSION, BEFORE_CONNECT,
          0x10, 12, 0, 4, 'M', 'Q', 'T', 'X', 4, 0x02, 0, 0, 0, 0);
    }

    @ParameterizedTest(name = "level {0}")
    @ValueSource(ints = {0, 3, 6, 0x84})
    void mqtt_3_1_2_2_unsupportedProtocolLevel(int level) {
      rejected(UNSUPPORTED_PROTOCOL_VERSION, BEFORE_CONNECT,
          0x10, 12, 0, 4, 'M', 'Q', 'T', 'T', level, 0x02, 0, 0, 0, 0);
    }

    @Test
    void mqtt_3_1_2_3_reservedFlagMustBeZero() {
      rejectedWithId(MALFORMED_PACKET, "[MQTT-3.1.2-3]", BEFORE_CONNECT, v311(12, 0x03, 0, 0));
    }

    @Test
    void mqtt_3_1_2_11_willQosWithoutWillFlag() {
      rejectedWithId(MALFORMED_PACKET, "[MQTT-3.1.2-11]", BEFORE_CONNECT,
          v311(12, 0b0000_1000, 0, 0));
    }

    @Test
    void mqtt_3_1_2_12_willQos3() {
      rejectedWithId(MALFORMED_PACKET, "[MQTT-3.1.2-12]", BEFORE_CONNECT,
          v311(17, 0b0001_1100, 0, 0, 0, 1, 'w', 0, 0));
    }

    @Test
    void mqtt_3_1_2_13_willRetainWithoutWillFlag() {
      rejectedWithId(MALFORMED_PACKET, "[MQTT-3.1.2-13]", BEFORE_CONNECT,
          v311(12, 0b0010_0000, 0, 0));
    }

    @Test
    void mqtt_3_1_2_22_mqtt311PasswordWithoutUserName() {
      rejectedWithId(MALFORMED_PACKET, "[MQTT-3.1.2-22]", BEFORE_CONNECT,
          v311(15, 0b0100_0000, 0, 0, 0, 1, 'p'));
    }

    @Test
    void trailingBytesAfterPayload() {
      rejected(MALFORMED_PACKET, BEFORE_CONNECT, v311(13, 0x02, 0, 0, 0xAA));
    }

    @Test
    void clientIdLengthBeyondPacket() {
      rejected(MALFORMED_PACKET, BEFORE_CONNECT, v311(12, 0x02, 0, 5));
    }

    @Test
    void mqtt_1_5_4_2_nulInClientId() {
      rejectedWithId(MALFORMED_PACKET, "[MQTT-1.5.4-2]", BEFORE_CONNECT,
          v311(13, 0x02, 0, 1, 0));
    }

    @Test
    void willTopicWithWildcard() {
      rejected(TOPIC_NAME_INVALID, BEFORE_CONNECT, v311(17, 0b0000_0100, 0, 0, 0, 1, '#', 0, 0));
    }

    @Test
    void willPayloadNotUtf8DespitePayloadFormatIndicator() {
      rejected(PAYLOAD_FORMAT_INVALID, BEFORE_CONNECT,
          v5(22, 0b0000_0100,
              0,                // properties
              0, 0,             // client id
              2, 0x01, 1,       // will properties: Payload Format Indicator 1
              0, 1, 'w',        // will topic
              0, 1, 0xFF));     // will payload, not UTF-8
    }

    @Test
    void receiveMaximum0IsProtocolError() {
      rejected(PROTOCOL_ERROR, BEFORE_CONNECT, v5(16, 0x02, 3, 0x21, 0, 0, 0, 0));
    }

    @Test
    void maximumPacketSize0IsProtocolError() {
      rejected(PROTOCOL_ERROR, BEFORE_CONNECT, v5(18, 0x02, 5, 0x27, 0, 0, 0, 0, 0, 0));
    }

    @ParameterizedTest(name = "property 0x{0}")
    @ValueSource(strings = {"17", "19"})
    void requestInformationFlagsMustBe0Or1(String id) {
      rejected(PROTOCOL_ERROR, BEFORE_CONNECT,
          v5(15, 0x02, 2, Integer.parseInt(id, 16), 2, 0, 0));
    }

    @Test
    void duplicatePropertyIsProtocolError() {
      rejected(PROTOCOL_ERROR, BEFORE_CONNECT, v5(19, 0x02, 6, 0x21, 0, 1, 0x21, 0, 1, 0, 0));
    }

    @Test
    void unknownPropertyIsMalformed() {
      rejected(MALFORMED_PACKET, BEFORE_CONNECT, v5(15, 0x02, 2, 0x05, 0, 0, 0));
    }

    @Test
    void propertyNotAllowedInConnectIsMalformed() {
      rejected(MALFORMED_PACKET, BEFORE_CONNECT, v5(16, 0x02, 3, 0x23, 0, 1, 0, 0)); // Topic Alias
    }

    @Test
    void willDelayIntervalOutsideWillPropertiesIsMalformed() {
      rejected(MALFORMED_PACKET, BEFORE_CONNECT, v5(18, 0x02, 5, 0x18, 0, 0, 0, 1, 0, 0));
    }

    @Test
    void propertyLengthBeyondPacket() {
      rejected(MALFORMED_PACKET, BEFORE_CONNECT, v5(11, 0x02, 9));
    }

    @Test
    void authenticationDataWithoutMethodIsProtocolError() {
      rejected(PROTOCOL_ERROR, BEFORE_CONNECT, v5(16, 0x02, 3, 0x16, 0, 0, 0, 0));
    }
  }

  @Nested
  class Publish {
    @Test
    void mqtt_3_3_1_4_qos3() {
      rejectedWithId(MALFORMED_PACKET, "[MQTT-3.3.1-4]", server(MQTT_3_1_1),
          0x36, 5, 0, 1, 't', 0, 1);
    }

    @Test
    void mqtt_3_3_1_2_dupWithQos0() {
      rejectedWithId(MALFORMED_PACKET, "[MQTT-3.3.1-2]", server(MQTT_3_1_1), 0x38, 3, 0, 1, 't');
    }

    @Test
    void mqtt_2_2_1_3_packetId0WithQos1() {
      rejectedWithId(PROTOCOL_ERROR, "[MQTT-2.2.1-3]", server(MQTT_3_1_1),
          0x32, 5, 0, 1, 't', 0, 0);
    }

    @Test
    void mqtt_3_3_2_2_wildcardInTopicName() {
      rejectedWithId(TOPIC_NAME_INVALID, "[MQTT-3.3.2-2]", server(MQTT_3_1_1),
          0x30, 5, 0, 3, 'a', '/', '+');
    }

    @Test
    void mqtt_4_7_3_1_emptyTopicInMqtt3() {
      rejectedWithId(MALFORMED_PACKET, "[MQTT-4.7.3-1]", server(MQTT_3_1_1), 0x30, 2, 0, 0);
    }

    @Test
    void mqtt_3_3_2_1_emptyTopicWithoutAliasInMqtt5() {
      rejectedWithId(PROTOCOL_ERROR, "[MQTT-3.3.2-1]", server(MQTT_5), 0x30, 3, 0, 0, 0);
    }

    @Test
    void mqtt_3_3_2_8_topicAlias0() {
      rejectedWithId(TOPIC_ALIAS_INVALID, "[MQTT-3.3.2-8]", server(MQTT_5),
          0x30, 7, 0, 1, 't', 3, 0x23, 0, 0);
    }

    @Test
    void mqtt_3_3_4_6_subscriptionIdentifierFromClient() throws Exception {
      int[] packet = {0x30, 6, 0, 1, 't', 2, 0x0B, 1};
      rejectedWithId(PROTOCOL_ERROR, "[MQTT-3.3.4-6]", server(MQTT_5), packet);
      assertNotNull(MqttDecoder.decode(bytes(packet), client(MQTT_5)));
    }

    @Test
    void subscriptionIdentifier0() {
      rejected(PROTOCOL_ERROR, client(MQTT_5), 0x30, 6, 0, 1, 't', 2, 0x0B, 0);
    }

    @Test
    void payloadNotUtf8DespitePayloadFormatIndicator() {
      rejected(PAYLOAD_FORMAT_INVALID, server(MQTT_5),
          0x30, 8, 0, 1, 't', 2, 0x01, 1, 0xC3, 0x28);
    }

    @Test
    void payloadFormatIndicatorOtherThan0Or1() {
      rejected(PROTOCOL_ERROR, server(MQTT_5), 0x30, 6, 0, 1, 't', 2, 0x01, 2);
    }

    @Test
    void mqtt_3_3_2_14_responseTopicWithWildcard() {
      rejectedWithId(PROTOCOL_ERROR, "[MQTT-3.3.2-14]", server(MQTT_5),
          0x30, 9, 0, 1, 't', 5, 0x08, 0, 2, 'a', '#');
    }

    @Test
    void mqtt_1_5_4_1_surrogateInTopic() {
      rejectedWithId(MALFORMED_PACKET, "[MQTT-1.5.4-1]", server(MQTT_3_1_1),
          0x30, 5, 0, 3, 0xED, 0xA0, 0x80);
    }

    @Test
    void topicLengthBeyondPacket() {
      rejected(MALFORMED_PACKET, server(MQTT_3_1_1), 0x30, 3, 0, 9, 't');
    }

    @Test
    void propertyNotAllowedInPublish() {
      rejected(MALFORMED_PACKET, server(MQTT_5), 0x30, 7, 0, 1, 't', 3, 0x21, 0, 1);
    }
  }

  @Nested
  class Acks {
    @Test
    void mqtt_2_2_1_3_packetId0() {
      rejectedWithId(PROTOCOL_ERROR, "[MQTT-2.2.1-3]", server(MQTT_3_1_1), 0x40, 2, 0, 0);
    }

    @Test
    void mqtt3AckLongerThanTwoBytes() {
      rejected(MALFORMED_PACKET, server(MQTT_3_1_1), 0x40, 3, 0, 1, 0);
    }

    @Test
    void reasonCodeNotValidForPubAck() {
      rejected(MALFORMED_PACKET, server(MQTT_5), 0x40, 3, 0, 1, 0x92);
    }

    @Test
    void reasonCodeNotValidForPubRel() {
      rejected(MALFORMED_PACKET, server(MQTT_5), 0x62, 3, 0, 1, 0x10);
    }

    @Test
    void undefinedReasonCode() {
      rejected(MALFORMED_PACKET, server(MQTT_5), 0x50, 3, 0, 1, 0x7F);
    }

    @Test
    void trailingBytesAfterProperties() {
      rejected(MALFORMED_PACKET, server(MQTT_5), 0x70, 5, 0, 1, 0, 0, 0xAA);
    }

    @Test
    void disconnectReasonCodeNotValid() {
      rejected(MALFORMED_PACKET, server(MQTT_5), 0xE0, 1, 0x10);
    }

    @Test
    void mqtt3DisconnectWithBody() {
      rejected(MALFORMED_PACKET, server(MQTT_3_1_1), 0xE0, 1, 0);
    }

    @Test
    void pingReqWithBody() {
      rejected(MALFORMED_PACKET, server(MQTT_5), 0xC0, 1, 0);
    }

    @Test
    void authReasonCodeNotValid() {
      rejected(MALFORMED_PACKET, server(MQTT_5), 0xF0, 2, 0x87, 0);
    }
  }

  @Nested
  class Subscribe {
    @Test
    void mqtt_3_8_3_3_noTopicFilter() {
      rejectedWithId(PROTOCOL_ERROR, "[MQTT-3.8.3-3]", server(MQTT_3_1_1), 0x82, 2, 0, 1);
    }

    @Test
    void mqtt_3_8_3_5_reservedOptionBits() {
      rejectedWithId(MALFORMED_PACKET, "[MQTT-3.8.3-5]", server(MQTT_5),
          0x82, 7, 0, 1, 0, 0, 1, 'a', 0b0100_0000);
    }

    @Test
    void mqtt_3_8_3_4_noLocalOnSharedSubscription() {
      rejectedWithId(PROTOCOL_ERROR, "[MQTT-3.8.3-4]", server(MQTT_5),
          0x82, 16, 0, 1, 0, 0, 10, '$', 's', 'h', 'a', 'r', 'e', '/', 'g', '/', 'a',
          0b0000_0100);
    }

    @Test
    void retainHandling3() {
      rejected(PROTOCOL_ERROR, server(MQTT_5), 0x82, 7, 0, 1, 0, 0, 1, 'a', 0b0011_0000);
    }

    @Test
    void maximumQos3InMqtt5() {
      rejected(PROTOCOL_ERROR, server(MQTT_5), 0x82, 7, 0, 1, 0, 0, 1, 'a', 0b0000_0011);
    }

    @ParameterizedTest(name = "requested QoS byte 0x{0}")
    @ValueSource(strings = {"03", "04", "80"})
    void mqtt_3_8_3_4_in_3_1_1_requestedQosByte(String b) {
      rejectedWithId(MALFORMED_PACKET, "[MQTT-3-8.3-4]", server(MQTT_3_1_1),
          0x82, 6, 0, 1, 0, 1, 'a', Integer.parseInt(b, 16));
    }

    @Test
    void subscriptionIdentifier0() {
      rejected(PROTOCOL_ERROR, server(MQTT_5), 0x82, 8, 0, 1, 2, 0x0B, 0, 0, 1, 'a', 0);
    }

    @Test
    void subscriptionIdentifierTwice() {
      rejected(PROTOCOL_ERROR, server(MQTT_5), 0x82, 10, 0, 1, 4, 0x0B, 1, 0x0B, 2, 0, 1, 'a', 0);
    }

    @Test
    void mqtt_4_7_1_1_invalidFilter() {
      rejectedWithId(TOPIC_FILTER_INVALID, "[MQTT-4.7.1-1]", server(MQTT_5),
          0x82, 8, 0, 1, 0, 0, 2, '#', 'a', 0);
    }

    @Test
    void mqtt_3_10_3_2_unsubscribeWithoutFilter() {
      rejectedWithId(PROTOCOL_ERROR, "[MQTT-3.10.3-2]", server(MQTT_5), 0xA2, 3, 0, 1, 0);
    }

    @Test
    void unsubscribeInvalidFilter() {
      rejected(TOPIC_FILTER_INVALID, server(MQTT_3_1_1), 0xA2, 6, 0, 1, 0, 2, 'a', '#');
    }
  }

  @Nested
  class ServerToClient {
    @Test
    void mqtt_3_2_2_1_connAckReservedFlags() {
      rejectedWithId(MALFORMED_PACKET, "[MQTT-3.2.2-1]", client(MQTT_3_1_1), 0x20, 2, 0x02, 0);
    }

    @Test
    void connAckReturnCodeOutOfRange() {
      rejected(MALFORMED_PACKET, client(MQTT_3_1_1), 0x20, 2, 0, 6);
    }

    @Test
    void mqtt_3_2_2_4_sessionPresentWithRefusal() {
      rejectedWithId(MALFORMED_PACKET, "[MQTT-3.2.2-4]", client(MQTT_3_1_1), 0x20, 2, 1, 5);
    }

    @Test
    void connAckReasonCodeNotValid() {
      rejected(MALFORMED_PACKET, client(MQTT_5), 0x20, 3, 0, 0x8E, 0);
    }

    @Test
    void connAckMaximumQos2IsProtocolError() {
      rejected(PROTOCOL_ERROR, client(MQTT_5), 0x20, 5, 0, 0, 2, 0x24, 2);
    }

    @Test
    void mqtt_3_9_3_2_reservedSubAckReturnCode() {
      rejectedWithId(MALFORMED_PACKET, "[MQTT-3.9.3-2]", client(MQTT_3_1_1), 0x90, 3, 0, 1, 3);
    }

    @Test
    void subAckWithoutReasonCodes() {
      rejected(PROTOCOL_ERROR, client(MQTT_5), 0x90, 3, 0, 1, 0);
    }

    @Test
    void unsubAckReasonCodeNotValid() {
      rejected(MALFORMED_PACKET, client(MQTT_5), 0xB0, 4, 0, 1, 0, 0x01);
    }
  }
}
