package org.ferrymq.codec;

import static org.ferrymq.codec.Packets.assertDeepEquals;
import static org.ferrymq.codec.Packets.bytes;
import static org.ferrymq.codec.Packets.client;
import static org.ferrymq.codec.Packets.decodeAll;
import static org.ferrymq.codec.Packets.server;
import static org.ferrymq.packet.ProtocolVersion.MQTT_3_1;
import static org.ferrymq.packet.ProtocolVersion.MQTT_3_1_1;
import static org.ferrymq.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.List;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.PingReq;
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
import org.ferrymq.packet.Will;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Decoding of hand-written packets, framing, incremental input and the size limit. */
class MqttDecoderTest {

  @Test
  void decodesMqtt311ConnectWithWillUserAndPassword() throws Exception {
    ByteBuffer sut = bytes(
        0b0001_0000, // CONNECT, flags 0
        29,          // remaining length
        0, 4, 'M', 'Q', 'T', 'T', // protocol name
        4,           // protocol level 3.1.1
        0b1110_1110, // user, password, will retain, will QoS 1, will, clean session
        0, 60,       // keep alive
        0, 2, 'i', 'd',           // client identifier
        0, 1, 'w',                // will topic
        0, 2, 'b', 'y',           // will message
        0, 1, 'u',                // user name
        0, 3, 1, 2, 3);           // password
    // Exercise
    Packet p = decodeAll(sut, DecoderContext.beforeConnect(Packets.NO_LIMIT));
    // Verify
    assertDeepEquals(new Connect(MQTT_3_1_1, "id", true, 60,
        new Will("w", new byte[] {'b', 'y'}, QoS.AT_LEAST_ONCE, true, null), "u",
        new byte[] {1, 2, 3}, null), p);
  }

  @Test
  void decodesMqtt31Connect() throws Exception {
    ByteBuffer sut = bytes(
        0b0001_0000, // CONNECT
        16,          // remaining length
        0, 6, 'M', 'Q', 'I', 's', 'd', 'p', // protocol name
        3,           // protocol level 3.1
        0b0000_0010, // clean session
        0, 10,       // keep alive
        0, 2, 'c', '1'); // client identifier
    Connect c = (Connect) decodeAll(sut, DecoderContext.beforeConnect(Packets.NO_LIMIT));
    assertEquals(MQTT_3_1, c.version());
    assertEquals("c1", c.clientId());
  }

  @Test
  void decodesMqtt5ConnectWithProperties() throws Exception {
    ByteBuffer sut = bytes(
        0b0001_0000, // CONNECT
        24,          // remaining length
        0, 4, 'M', 'Q', 'T', 'T', // protocol name
        5,           // protocol level 5
        0b0100_0000, // password without user name: allowed in MQTT 5
        0, 0,        // keep alive
        8,           // property length
        0x11, 0, 0, 0x0E, 0x10, // Session Expiry Interval 3600
        0x21, 0, 20, // Receive Maximum 20
        0, 0,        // client identifier ""
        0, 1, 'p');  // password
    Connect c = (Connect) decodeAll(sut, DecoderContext.beforeConnect(Packets.NO_LIMIT));
    assertEquals(3600L, c.properties().getLong(Property.SESSION_EXPIRY_INTERVAL));
    assertEquals(20, c.properties().getInt(Property.RECEIVE_MAXIMUM));
    assertNull(c.username());
    assertEquals(1, c.password().length);
  }

  @Test
  void decodesMqtt5PublishWithTopicAliasAndNoTopic() throws Exception {
    ByteBuffer sut = bytes(
        0b0011_1011, // PUBLISH, DUP, QoS 1, RETAIN
        10,          // remaining length
        0, 0,        // topic name ""
        0x12, 0x34,  // packet identifier
        3,           // property length
        0x23, 0, 5,  // Topic Alias 5
        'h', 'i');   // payload
    Publish p = (Publish) decodeAll(sut, server(MQTT_5));
    assertDeepEquals(new Publish("", new byte[] {'h', 'i'}, QoS.AT_LEAST_ONCE, true, true,
        0x1234, Properties.builder().put(Property.TOPIC_ALIAS, 5).build()), p);
  }

  @Test
  void decodesMqtt311Publish() throws Exception {
    ByteBuffer sut = bytes(
        0b0011_0000, // PUBLISH QoS 0
        6,           // remaining length
        0, 3, 'a', '/', 'b', // topic name
        'x');        // payload
    Publish p = (Publish) decodeAll(sut, server(MQTT_3_1_1));
    assertEquals("a/b", p.topic());
    assertEquals(0, p.packetId());
  }

  @ParameterizedTest(name = "remaining length {0}")
  @ValueSource(ints = {2, 3, 4})
  void decodesMqtt5PubAckShortForms(int remainingLength) throws Exception {
    ByteBuffer sut = bytes(
        0b0100_0000,      // PUBACK
        remainingLength,  // remaining length
        0, 1,             // packet identifier
        0x10,             // reason code No matching subscribers (if length >= 3)
        0)                // property length 0 (if length 4)
        .limit(2 + remainingLength);
    PubAck p = (PubAck) decodeAll(sut, server(MQTT_5));
    assertEquals(remainingLength == 2 ? ReasonCode.SUCCESS : ReasonCode.NO_MATCHING_SUBSCRIBERS,
        p.reasonCode());
  }

  @Test
  void decodesPubRel() throws Exception {
    ByteBuffer sut = bytes(
        0b0110_0010, // PUBREL, flags 0010
        2,           // remaining length
        0xFF, 0xFF); // packet identifier 65535
    assertDeepEquals(new PubRel(65_535), decodeAll(sut, server(MQTT_3_1_1)));
  }

  @Test
  void decodesMqtt5Subscribe() throws Exception {
    ByteBuffer sut = bytes(
        0b1000_0010, // SUBSCRIBE, flags 0010
        9,           // remaining length
        0, 9,        // packet identifier
        2,           // property length
        0x0B, 7,     // Subscription Identifier 7
        0, 1, 'a',   // topic filter
        0b0010_1110);// retain handling 2, RAP, no local, QoS 2
    Subscribe s = (Subscribe) decodeAll(sut, server(MQTT_5));
    assertEquals(List.of(new Subscription("a", QoS.EXACTLY_ONCE, true, true,
        RetainHandling.DO_NOT_SEND)), s.subscriptions());
    assertEquals(List.of(7), s.properties().subscriptionIdentifiers());
  }

  @Test
  void decodesMqtt311SubAckFailureAsUnspecifiedError() throws Exception {
    ByteBuffer sut = bytes(
        0b1001_0000, // SUBACK
        4,           // remaining length
        0, 1,        // packet identifier
        0x01,        // granted QoS 1
        0x80);       // failure
    SubAck s = (SubAck) decodeAll(sut, client(MQTT_3_1_1));
    assertEquals(List.of(ReasonCode.GRANTED_QOS_1, ReasonCode.UNSPECIFIED_ERROR), s.reasonCodes());
  }

  @Test
  void decodesMqtt311ConnAckReturnCode() throws Exception {
    ByteBuffer sut = bytes(
        0b0010_0000, // CONNACK
        2,           // remaining length
        0,           // session present 0
        4);          // bad user name or password
    assertDeepEquals(new ConnAck(false, ReasonCode.BAD_USER_NAME_OR_PASSWORD, null),
        decodeAll(sut, client(MQTT_3_1_1)));
  }

  @Test
  void decodesMqtt5DisconnectShortForms() throws Exception {
    assertEquals(Disconnect.NORMAL, decodeAll(bytes(0b1110_0000, 0), server(MQTT_5)));
    assertEquals(new Disconnect(ReasonCode.DISCONNECT_WITH_WILL, null),
        decodeAll(bytes(
            0b1110_0000, // DISCONNECT
            1,           // remaining length
            0x04),       // Disconnect with Will Message
            server(MQTT_5)));
  }

  @Test
  void decodesConsecutivePacketsFromOneBuffer() throws Exception {
    ByteBuffer sut = bytes(
        0b1100_0000, 0, // PINGREQ
        0b1110_0000, 0, // DISCONNECT
        0b1100_0000);   // start of a third packet
    assertEquals(PingReq.INSTANCE, MqttDecoder.decode(sut, server(MQTT_3_1_1)));
    assertEquals(Disconnect.NORMAL, MqttDecoder.decode(sut, server(MQTT_3_1_1)));
    assertNull(MqttDecoder.decode(sut, server(MQTT_3_1_1)));
    assertEquals(4, sut.position());
  }

  @Test
  void returnsNullUntilTheLastByteArrivesWhenFedByteByByte() throws Exception {
    ByteBuffer whole = MqttEncoder.encode(new Publish("t/1", new byte[300], QoS.EXACTLY_ONCE,
        false, false, 9, Properties.builder().userProperty("k", "v").build()), MQTT_5);
    ByteBuffer sut = ByteBuffer.allocate(whole.remaining());
    for (int i = 0; i < whole.limit() - 1; i++) {
      sut.put(whole.get(i)).flip();
      // Exercise
      assertNull(MqttDecoder.decode(sut, server(MQTT_5)), "after " + (i + 1) + " bytes");
      // Verify
      assertEquals(0, sut.position());
      sut.position(sut.limit()).limit(sut.capacity());
    }
    sut.put(whole.get(whole.limit() - 1)).flip();
    assertNotNull(MqttDecoder.decode(sut, server(MQTT_5)));
    assertEquals(sut.limit(), sut.position());
  }

  @ParameterizedTest(name = "remaining length {0}")
  @ValueSource(ints = {127, 128, 16_383, 16_384, 2_097_151, 2_097_152})
  void decodesRemainingLengthBoundaries(int remainingLength) throws Exception {
    // topic "t" (3 bytes) + payload fills the rest
    Publish p = new Publish("t", new byte[remainingLength - 3], QoS.AT_MOST_ONCE, false, false, 0,
        null);
    ByteBuffer sut = MqttEncoder.encode(p, MQTT_3_1_1);
    assertEquals(remainingLength, sut.remaining() - 1
        - org.ferrymq.codec.wire.VariableByteInteger.encodedSize(remainingLength));
    assertDeepEquals(p, decodeAll(sut, server(MQTT_3_1_1)));
  }

  @Test
  void acceptsPacketExactlyAtMaxPacketSize() throws Exception {
    ByteBuffer sut = MqttEncoder.encode(new PubAck(1), MQTT_3_1_1); // 4 bytes
    assertNotNull(MqttDecoder.decode(sut, new DecoderContext(MQTT_3_1_1, 4)));
  }

  @Test
  void rejectsPacketOneByteOverMaxPacketSize() {
    ByteBuffer sut = MqttEncoder.encode(new PubAck(1), MQTT_3_1_1);
    MalformedPacketException e = assertThrows(MalformedPacketException.class,
        () -> MqttDecoder.decode(sut, new DecoderContext(MQTT_3_1_1, 3)));
    assertEquals(ReasonCode.PACKET_TOO_LARGE, e.reasonCode());
  }

  @Test
  void rejectsOversizedPacketFromTheFixedHeaderAlone() {
    ByteBuffer sut = bytes(
        0b0011_0000,       // PUBLISH
        0x80, 0x80, 0x01); // remaining length 16384, body not yet received
    MalformedPacketException e = assertThrows(MalformedPacketException.class,
        () -> MqttDecoder.decode(sut, new DecoderContext(MQTT_5, 16_384)));
    assertEquals(ReasonCode.PACKET_TOO_LARGE, e.reasonCode());
  }

  @Test
  void decodesFromDirectAndOffsetBuffers() throws Exception {
    ByteBuffer encoded = MqttEncoder.encode(new Publish("\u00e9/t", new byte[] {1}, QoS.AT_LEAST_ONCE,
        false, false, 3, null), MQTT_5);
    ByteBuffer direct = ByteBuffer.allocateDirect(encoded.remaining() + 3);
    direct.put(new byte[] {9, 9, 9}).put(encoded).flip().position(3);
    Publish p = (Publish) decodeAll(direct, server(MQTT_5));
    assertEquals("\u00e9/t", p.topic());
  }
}
