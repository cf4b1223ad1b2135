package org.ferrymq.codec;

import static org.ferrymq.codec.Packets.toInts;
import static org.ferrymq.packet.ProtocolVersion.MQTT_3_1;
import static org.ferrymq.packet.ProtocolVersion.MQTT_3_1_1;
import static org.ferrymq.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.ferrymq.packet.Auth;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.packet.SubAck;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;
import org.ferrymq.packet.UnsubAck;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Exact bytes produced by the encoder, version mapping and size-limited encoding. */
class MqttEncoderTest {
  private static final Properties REASON = Properties.builder()
      .put(Property.REASON_STRING, "a reason string")
      .userProperty("key", "value")
      .build();

  @Test
  void encodesMqtt5PublishWithProperties() {
    Publish sut = new Publish("a/b", new byte[] {'h', 'i'}, QoS.AT_LEAST_ONCE, true, false, 10,
        Properties.builder().put(Property.MESSAGE_EXPIRY_INTERVAL, 60).build());
    ByteBuffer out = MqttEncoder.encode(sut, MQTT_5);
    assertEquals(0, out.position());
    assertEquals(out.capacity(), out.limit());
    assertArrayEquals(new int[] {
        0b0011_0011,          // PUBLISH, QoS 1, RETAIN
        15,                   // remaining length
        0, 3, 'a', '/', 'b',  // topic name
        0, 10,                // packet identifier
        5,                    // property length
        0x02, 0, 0, 0, 60,    // Message Expiry Interval 60
        'h', 'i'},            // payload
        toInts(out));
  }

  @Test
  void encodesMqtt311ConnectWithWill() {
    Connect sut = new Connect(MQTT_3_1_1, "c", false, 30,
        new org.ferrymq.packet.Will("w", new byte[] {1}, QoS.EXACTLY_ONCE, false, null),
        "u", null, null);
    assertArrayEquals(new int[] {
        0x10,                         // CONNECT
        22,                           // remaining length
        0, 4, 'M', 'Q', 'T', 'T', 4,  // protocol name and level
        0b1001_0100,                  // user name, will QoS 2, will flag
        0, 30,                        // keep alive
        0, 1, 'c',                    // client identifier
        0, 1, 'w',                    // will topic
        0, 1, 1,                      // will payload
        0, 1, 'u'},                   // user name
        toInts(MqttEncoder.encode(sut, MQTT_3_1_1)));
  }

  @Test
  void mqtt31ConnectUsesMQIsdp() {
    Connect sut = new Connect(MQTT_3_1, "c", true, 0, null, null, null, null);
    int[] out = toInts(MqttEncoder.encode(sut, MQTT_3_1));
    assertArrayEquals(new int[] {0, 6, 'M', 'Q', 'I', 's', 'd', 'p', 3},
        java.util.Arrays.copyOfRange(out, 2, 11));
  }

  @Test
  void mqtt3ConnectRefusesPasswordWithoutUserName() {
    Connect sut = new Connect(MQTT_3_1_1, "c", true, 0, null, null, new byte[] {1}, null);
    assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encode(sut, MQTT_3_1_1));
  }

  @ParameterizedTest(name = "{0} -> return code {1}")
  @CsvSource({"SUCCESS,0", "UNSUPPORTED_PROTOCOL_VERSION,1", "CLIENT_IDENTIFIER_NOT_VALID,2",
      "SERVER_BUSY,3", "BAD_USER_NAME_OR_PASSWORD,4", "NOT_AUTHORIZED,5", "BANNED,5"})
  void mqtt3ConnAckUsesReturnCodes(ReasonCode reason, int returnCode) {
    ConnAck sut = new ConnAck(false, reason, REASON);
    assertArrayEquals(new int[] {
        0x20, 2,     // CONNACK, remaining length
        0,           // flags
        returnCode}, // return code, properties dropped
        toInts(MqttEncoder.encode(sut, MQTT_3_1_1)));
  }

  @Test
  void mqtt31ConnAckHasNoSessionPresentFlag() {
    ConnAck sut = new ConnAck(true, ReasonCode.SUCCESS, null);
    assertArrayEquals(new int[] {0x20, 2, 0, 0}, toInts(MqttEncoder.encode(sut, MQTT_3_1)));
    assertArrayEquals(new int[] {0x20, 2, 1, 0}, toInts(MqttEncoder.encode(sut, MQTT_3_1_1)));
  }

  @Test
  void mqtt3SubAckUsesReturnCodes() {
    SubAck sut = new SubAck(1, List.of(ReasonCode.GRANTED_QOS_2, ReasonCode.NOT_AUTHORIZED,
        ReasonCode.SUCCESS), REASON);
    assertArrayEquals(new int[] {
        0x90, 5,          // SUBACK, remaining length
        0, 1,             // packet identifier
        2, 0x80, 0},      // return codes
        toInts(MqttEncoder.encode(sut, MQTT_3_1_1)));
  }

  @Test
  void mqtt3UnsubAckHasNoPayload() {
    UnsubAck sut = new UnsubAck(7, List.of(ReasonCode.SUCCESS), REASON);
    assertArrayEquals(new int[] {0xB0, 2, 0, 7}, toInts(MqttEncoder.encode(sut, MQTT_3_1_1)));
  }

  @Test
  void mqtt3SubscribeSendsOnlyTheQos() {
    Subscribe sut = new Subscribe(1, List.of(new Subscription("a", QoS.AT_LEAST_ONCE, true, true,
        RetainHandling.DO_NOT_SEND)), null);
    assertArrayEquals(new int[] {
        0x82, 6,    // SUBSCRIBE, flags 0010
        0, 1,       // packet identifier
        0, 1, 'a',  // topic filter
        1},         // requested QoS
        toInts(MqttEncoder.encode(sut, MQTT_3_1_1)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"SUCCESS,false,'0x40,2,0,1'", "NO_MATCHING_SUBSCRIBERS,false,'0x40,3,0,1,16'",
      "SUCCESS,true,'0x40,8,0,1,0,4,31,0,1,97'"})
  void mqtt_3_4_2_1_pubAckShortForms(ReasonCode reason, boolean reasonString, String expected) {
    Properties props = reasonString
        ? Properties.builder().put(Property.REASON_STRING, "a").build() : null;
    int[] bytes = java.util.Arrays.stream(expected.split(","))
        .mapToInt(s -> Integer.decode(s.trim())).toArray();
    assertArrayEquals(bytes, toInts(MqttEncoder.encode(new PubAck(1, reason, props), MQTT_5)));
  }

  @Test
  void pubRelHasFlags0010() {
    assertEquals(0x62, MqttEncoder.encode(new PubRel(1), MQTT_5).get(0) & 0xFF);
  }

  @Test
  void mqtt5DisconnectShortForms() {
    assertArrayEquals(new int[] {0xE0, 0}, toInts(MqttEncoder.encode(Disconnect.NORMAL, MQTT_5)));
    assertArrayEquals(new int[] {0xE0, 1, 0x8B}, toInts(MqttEncoder.encode(
        new Disconnect(ReasonCode.SERVER_SHUTTING_DOWN, null), MQTT_5)));
    assertArrayEquals(new int[] {0xE0, 0}, toInts(MqttEncoder.encode(
        new Disconnect(ReasonCode.SERVER_SHUTTING_DOWN, REASON), MQTT_3_1_1)));
  }

  @Test
  void authCannotBeEncodedForMqtt3() {
    Auth sut = new Auth(ReasonCode.SUCCESS, null);
    assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encode(sut, MQTT_3_1_1));
    assertArrayEquals(new int[] {0xF0, 0}, toInts(MqttEncoder.encode(sut, MQTT_5)));
  }

  @Test
  @DisplayName("fuzzing finding: AUTH with a reason code but no properties keeps its Property "
      + "Length 0 (3.15.2.1 lets only Success without properties be shortened), so it decodes")
  void authReasonCodeWithoutPropertiesKeepsPropertyLength() throws Exception {
    Auth sut = new Auth(ReasonCode.CONTINUE_AUTHENTICATION, null);

    // Exercise
    ByteBuffer encoded = MqttEncoder.encode(sut, MQTT_5);

    // Verify
    assertArrayEquals(new int[] {0xF0, 2, 0x18, 0}, toInts(encoded));
    assertEquals(sut, MqttDecoder.decode(encoded, Packets.client(MQTT_5)));
  }

  @Test
  void topicAliasWithoutTopicCannotBeEncodedForMqtt3() {
    Publish sut = new Publish("", new byte[0], QoS.AT_MOST_ONCE, false, false, 0,
        Properties.builder().put(Property.TOPIC_ALIAS, 1).build());
    assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encode(sut, MQTT_3_1_1));
  }

  @Test
  void propertiesThePacketCannotCarryAreLeftOut() {
    PubAck sut = new PubAck(1, ReasonCode.SUCCESS,
        Properties.builder().put(Property.TOPIC_ALIAS, 3).build());
    assertArrayEquals(new int[] {0x40, 2, 0, 1}, toInts(MqttEncoder.encode(sut, MQTT_5)));
  }

  @Test
  void mqtt_1_5_4_1_refusesUnpairedSurrogate() {
    Disconnect sut = new Disconnect(ReasonCode.SUCCESS,
        Properties.builder().put(Property.REASON_STRING, "\uD800").build());
    assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encode(sut, MQTT_5));
  }

  @Test
  void encodesAtExactlyMaxPacketSize() {
    PubAck sut = new PubAck(1, ReasonCode.SUCCESS, REASON);
    int size = MqttEncoder.encodedSize(sut, MQTT_5);
    ByteBuffer out = MqttEncoder.encode(sut, MQTT_5, size);
    assertEquals(size, out.remaining());
  }

  @Test
  void mqtt_3_4_2_2_dropsReasonStringFirstToFit() throws Exception {
    PubAck sut = new PubAck(1, ReasonCode.QUOTA_EXCEEDED, REASON);
    int size = MqttEncoder.encodedSize(sut, MQTT_5);
    // Exercise
    ByteBuffer out = MqttEncoder.encode(sut, MQTT_5, size - 1);
    // Verify
    PubAck decoded = (PubAck) Packets.decodeAll(out, Packets.client(MQTT_5));
    assertFalse(decoded.properties().has(Property.REASON_STRING));
    assertTrue(decoded.properties().has(Property.USER_PROPERTY));
    assertEquals(ReasonCode.QUOTA_EXCEEDED, decoded.reasonCode());
  }

  @Test
  void mqtt_3_4_2_3_thenDropsUserProperties() throws Exception {
    PubAck sut = new PubAck(1, ReasonCode.QUOTA_EXCEEDED, REASON);
    // Exercise: 5 bytes is the size with reason code and no properties
    ByteBuffer out = MqttEncoder.encode(sut, MQTT_5, 5);
    // Verify
    PubAck decoded = (PubAck) Packets.decodeAll(out, Packets.client(MQTT_5));
    assertEquals(Properties.EMPTY, decoded.properties());
    assertEquals(ReasonCode.QUOTA_EXCEEDED, decoded.reasonCode());
  }

  @Test
  void returnsNullWhenEvenTheBarePacketDoesNotFit() {
    assertNull(MqttEncoder.encode(new PubAck(1, ReasonCode.QUOTA_EXCEEDED, REASON), MQTT_5, 4));
  }

  @ParameterizedTest(name = "limit {0}")
  @ValueSource(ints = {4, 8})
  void mqtt_3_1_2_25_publishOverLimitIsDroppedNotTrimmed(int limit) {
    Publish sut = new Publish("t", new byte[3], QoS.AT_MOST_ONCE, false, false, 0,
        Properties.builder().userProperty("k", "v").build());
    assertNull(MqttEncoder.encode(sut, MQTT_5, limit));
  }

  @ParameterizedTest(name = "packet id {0}")
  @ValueSource(ints = {1, 255, 256, 65_535})
  void encodesPacketIdBoundaries(int packetId) throws Exception {
    for (Packet p : List.of(new PubAck(packetId), new Publish("t", new byte[0],
        QoS.AT_LEAST_ONCE, false, false, packetId, null))) {
      ByteBuffer out = MqttEncoder.encode(p, MQTT_3_1_1);
      int offset = p instanceof Publish ? 5 : 2;
      assertEquals(packetId, out.getShort(offset) & 0xFFFF);
      Packets.assertDeepEquals(p, Packets.decodeAll(out, Packets.server(MQTT_3_1_1)));
    }
  }

  @Test
  void recordsRefusePacketId0() {
    assertThrows(IllegalArgumentException.class, () -> new PubAck(0));
    assertThrows(IllegalArgumentException.class, () -> new PubAck(65_536));
  }
}
