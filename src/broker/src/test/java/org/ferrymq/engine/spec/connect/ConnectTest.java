package org.ferrymq.engine.spec.connect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CONNECT and CONNACK (MQTT 5 sections 3.1, 3.2 and 4.1; MQTT 3.1.1 sections 3.1 and 3.2;
 * MQTT 3.1 section 3.1): client identifiers, protocol levels, the first packet, session present,
 * clean start and session takeover.
 */
class ConnectTest {
  private MqttBroker sut = TestBrokers.started();

  @AfterEach
  void stop() {
    sut.stop();
  }

  private static Connect connect(ProtocolVersion v, String clientId, boolean cleanStart) {
    return new Connect(v, clientId, cleanStart, 60, null, null, null, null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "client-id-of-24-chars-xx"})
  @DisplayName("MQTT 3.1 3.1: a client identifier of other than 1..23 characters is refused"
      + " with return code 2")
  void mqtt31ClientIdentifierMustHaveOneTo23Characters(String clientId) {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_3_1);

    // Exercise
    ConnAck ack = c.connectWith(connect(ProtocolVersion.MQTT_3_1, clientId, true));

    // Verify
    assertEquals(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, ack.reasonCode());
    assertEquals(2, ack.reasonCode().v3ConnectReturnCode());
    c.awaitClosed("[MQTT-3.2.2-5]");
  }

  @Test
  @DisplayName("MQTT 3.1 3.1: a 23-character client identifier with protocol MQIsdp is accepted")
  void mqtt31ClientIdentifierOf23CharactersIsAccepted() {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_3_1);

    // Exercise
    ConnAck ack = c.connectWith(connect(ProtocolVersion.MQTT_3_1, "client-id-of-23-chars-x",
        true));

    // Verify
    assertEquals(ReasonCode.SUCCESS, ack.reasonCode());
    assertFalse(c.isClosed());
  }

  @Test
  @DisplayName("[MQTT-3.1.3-8] 3.1.1: empty client identifier with CleanSession=0 gets return"
      + " code 2 and the connection is closed [MQTT-3.2.2-5]")
  void v311EmptyClientIdentifierWithoutCleanSessionIsRefused() {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_3_1_1);

    // Exercise
    ConnAck ack = c.connectWith(connect(ProtocolVersion.MQTT_3_1_1, "", false));

    // Verify
    assertEquals(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, ack.reasonCode(), "[MQTT-3.1.3-9]");
    assertArrayEquals(new byte[] {0x20, 0x02, 0x00, 0x02}, c.transport.rawBytes(),
        "CONNACK, session present 0, return code 2 [MQTT-3.2.2-4]");
    c.awaitClosed("[MQTT-3.2.2-5]");
  }

  @Test
  @DisplayName("[MQTT-3.1.3-6] 3.1.1: an empty client identifier with CleanSession=1 is accepted"
      + " and the server assigns one [MQTT-3.1.3-7]")
  void v311EmptyClientIdentifierWithCleanSessionIsAccepted() {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_3_1_1);

    // Exercise
    ConnAck ack = c.connectWith(connect(ProtocolVersion.MQTT_3_1_1, "", true));

    // Verify
    assertEquals(ReasonCode.SUCCESS, ack.reasonCode());
    assertFalse(ack.sessionPresent(), "[MQTT-3.2.2-1]");
    assertEquals(1, sut.clients().size());
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  @DisplayName("[MQTT-3.1.3-6] v5: an empty client identifier is replaced by a unique one,"
      + " returned as Assigned Client Identifier [MQTT-3.2.2-16]")
  void v5EmptyClientIdentifierIsAssigned(boolean cleanStart) {
    TestClient first = new TestClient(sut, ProtocolVersion.MQTT_5);
    TestClient second = new TestClient(sut, ProtocolVersion.MQTT_5);

    // Exercise
    ConnAck a1 = first.connectWith(connect(ProtocolVersion.MQTT_5, "", cleanStart));
    ConnAck a2 = second.connectWith(connect(ProtocolVersion.MQTT_5, "", cleanStart));

    // Verify
    String id1 = a1.properties().getString(Property.ASSIGNED_CLIENT_IDENTIFIER);
    String id2 = a2.properties().getString(Property.ASSIGNED_CLIENT_IDENTIFIER);
    assertNotNull(id1, "[MQTT-3.2.2-16]");
    assertNotEquals(id1, id2, "[MQTT-3.1.3-6] unique to the server");
    assertEquals(2, sut.clients().stream()
        .filter(s -> s.clientId().equals(id1) || s.clientId().equals(id2)).count());
  }

  @Test
  @DisplayName("[MQTT-3.2.2-16] no Assigned Client Identifier when the client chose one")
  void v5ClientChosenIdentifierIsNotEchoed() {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_5);

    ConnAck ack = c.connectWith(connect(ProtocolVersion.MQTT_5, "mine", true));

    assertNull(ack.properties().getString(Property.ASSIGNED_CLIENT_IDENTIFIER));
  }

  @Test
  @DisplayName("[MQTT-3.1.2-2] unsupported protocol level: CONNACK return code 1 (0x84) in the"
      + " 3.1.1 format, then close")
  void unsupportedProtocolLevelIsAnsweredAndClosed() {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_3_1_1);

    // Exercise
    c.sendBytes(
        0x10, 13,                  // CONNECT, remaining length
        0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name
        0x06,                      // protocol level 6: unknown
        0x02,                      // connect flags: clean start
        0x00, 0x3C,                // keep alive 60
        0x00, 0x01, 'a');          // client identifier

    // Verify
    assertEquals(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, c.expect(ConnAck.class).reasonCode());
    assertArrayEquals(new byte[] {0x20, 0x02, 0x00, 0x01}, c.transport.rawBytes(),
        "[MQTT-3.1.2-2] return code 1, unacceptable protocol level");
    c.awaitClosed("[MQTT-3.1.2-2]");
    assertEquals(0, sut.clients().size());
  }

  @Test
  @DisplayName("[MQTT-3.1.2-1] a protocol name other than MQTT/MQIsdp closes the connection")
  void unknownProtocolNameIsRefused() {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_3_1_1);

    c.sendBytes(
        0x10, 13,                  // CONNECT, remaining length
        0x00, 0x04, 'M', 'Q', 'X', 'X', // protocol name: unknown
        0x04,                      // protocol level 4
        0x02,                      // connect flags: clean start
        0x00, 0x3C,                // keep alive 60
        0x00, 0x01, 'a');          // client identifier

    c.awaitClosed("[MQTT-3.1.2-1]");
    assertEquals(0, sut.clients().size());
  }

  @ParameterizedTest
  @ValueSource(ints = {0x30, 0x82, 0xC0, 0xE0})
  @DisplayName("[MQTT-3.1.0-1] a first packet other than CONNECT closes the connection, unanswered")
  void firstPacketMustBeConnect(int firstByte) {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_3_1_1);

    // Exercise: PUBLISH, SUBSCRIBE, PINGREQ or DISCONNECT with an empty body
    c.sendBytes(firstByte, 0x00);

    // Verify
    c.awaitClosed("[MQTT-3.1.0-1]");
    assertEquals(0, c.transport.rawBytes().length, "nothing is sent before CONNECT");
  }

  @Test
  @DisplayName("[MQTT-3.1.2-3] the reserved CONNECT flag set closes the connection without"
      + " CONNACK")
  void reservedConnectFlagClosesTheConnection() {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_3_1_1);

    c.sendBytes(
        0x10, 13,                  // CONNECT, remaining length
        0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name
        0x04,                      // protocol level 4
        0x03,                      // connect flags: clean session + reserved bit 0
        0x00, 0x3C,                // keep alive 60
        0x00, 0x01, 'a');          // client identifier

    c.awaitClosed("[MQTT-3.1.2-3]");
    assertEquals(0, c.transport.rawBytes().length);
    assertEquals(0, sut.clients().size());
  }

  @Test
  @DisplayName("[MQTT-2.2.2-2] reserved fixed-header flags in CONNECT close the connection")
  void reservedFixedHeaderFlagsInConnectCloseTheConnection() {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_5);

    c.sendBytes(
        0x11, 14,                  // CONNECT with flag bit 0 set: reserved
        0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name
        0x05,                      // protocol level 5
        0x02,                      // connect flags: clean start
        0x00, 0x3C,                // keep alive 60
        0x00,                      // properties length 0
        0x00, 0x01, 'a');          // client identifier

    c.awaitClosed("[MQTT-2.2.2-2]");
    assertEquals(0, c.transport.rawBytes().length);
  }

  /** Leaves a session with one subscription behind; returns the CONNECT properties it used. */
  private Properties offlineSessionWithSubscription(ProtocolVersion version, String clientId,
      String filter) {
    Properties expiry = version.isV5()
        ? Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 300).build()
        : Properties.EMPTY;
    TestClient first = TestClient.connect(sut, version, clientId, false, null, expiry);
    first.subscribe(filter, QoS.AT_LEAST_ONCE);
    first.disconnectAbruptly();
    return expiry;
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  @DisplayName("[MQTT-3.2.2-3] Session Present is 1 when a client resumes its session;"
      + " subscriptions survive")
  void sessionPresentOnResume(ProtocolVersion version) {
    Properties expiry = offlineSessionWithSubscription(version, "resumer", "r/t");

    // Exercise
    TestClient second = new TestClient(sut, version);
    second.send(new Connect(version, "resumer", false, 60, null, null, null, expiry));
    ConnAck ack = second.expect(ConnAck.class);

    // Verify
    if (version == ProtocolVersion.MQTT_3_1) {
      assertFalse(ack.sessionPresent(), "MQTT 3.1 has no Session Present flag");
    } else {
      assertTrue(ack.sessionPresent(), "[MQTT-3.2.2-3] (3.1.1: [MQTT-3.2.2-2])");
    }
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    pub.publish("r/t", "kept", QoS.AT_LEAST_ONCE, false);
    second.expectPublish("r/t", "kept");
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  @DisplayName("[MQTT-3.1.2-4] Clean Start discards the existing session: Session Present 0"
      + " [MQTT-3.2.2-2] and no subscriptions")
  void cleanStartDiscardsTheSession(ProtocolVersion version) {
    Properties expiry = offlineSessionWithSubscription(version, "cleaner", "c/t");

    // Exercise
    TestClient second = new TestClient(sut, version);
    ConnAck ack = second.connectWith(new Connect(version, "cleaner", true, 60, null, null, null,
        expiry));

    // Verify
    assertFalse(ack.sessionPresent(), "[MQTT-3.2.2-2] (3.1.1: [MQTT-3.2.2-1])");
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    pub.publish("c/t", "gone", QoS.AT_LEAST_ONCE, false);
    second.expectNothing(sut);
    assertEquals(0, sut.stats().subscriptions(), "[MQTT-3.1.2-4] (3.1.1: [MQTT-3.1.2-6])");
  }

  @Test
  @DisplayName("[MQTT-3.1.4-3] v5 session takeover: the existing connection gets DISCONNECT"
      + " 0x8E and is closed; the new one is accepted")
  void v5SessionTakeover() {
    TestClient first = TestClient.connect(sut, ProtocolVersion.MQTT_5, "same", true);

    // Exercise
    TestClient second = TestClient.connect(sut, ProtocolVersion.MQTT_5, "same", true);

    // Verify
    first.expectDisconnect(ReasonCode.SESSION_TAKEN_OVER, "[MQTT-3.1.4-3]");
    assertFalse(second.isClosed());
    assertEquals(List.of(ReasonCode.GRANTED_QOS_1),
        second.subscribe("t", QoS.AT_LEAST_ONCE).reasonCodes());
    assertEquals(1, sut.stats().clientsConnected());
  }

  @Test
  @DisplayName("[MQTT-3.1.4-2] 3.1.1 session takeover: the existing connection is closed"
      + " without DISCONNECT and the session is handed to the new one")
  void v311SessionTakeoverKeepsThePersistentSession() {
    TestClient first = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "same", false);
    first.subscribe("k/t", QoS.AT_LEAST_ONCE);

    // Exercise
    TestClient second = new TestClient(sut, ProtocolVersion.MQTT_3_1_1);
    ConnAck ack = second.connectWith(connect(ProtocolVersion.MQTT_3_1_1, "same", false));

    // Verify
    first.awaitClosed("[MQTT-3.1.4-2]");
    first.expectNothing(sut);
    assertTrue(ack.sessionPresent(), "[MQTT-3.2.2-2]");
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "pub", true);
    pub.publish("k/t", "to the new one", QoS.AT_LEAST_ONCE, false);
    second.expectPublish("k/t", "to the new one");
  }
}
