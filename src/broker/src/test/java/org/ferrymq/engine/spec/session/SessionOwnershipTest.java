package org.ferrymq.engine.spec.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.ferrymq.engine.LocalSubscription;
import org.ferrymq.engine.LogCapture;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.message.Message;
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

/**
 * Who may take a session over ([MQTT-3.1.4-3]) in the dev profile, where clients may be
 * anonymous: anonymous sessions belong to every anonymous client, a user's session to that user
 * only, in-process subscriptions to the broker. The refused CONNECT gets 0x85 ([MQTT-3.1.3-5]);
 * the attacker tests with passwords over sockets are in SessionOwnershipClientTest.
 */
class SessionOwnershipTest {
  private static final Properties ONE_HOUR = Properties.builder()
      .put(Property.SESSION_EXPIRY_INTERVAL, 3_600).build();

  private final MqttBroker sut = TestBrokers.started();

  @AfterEach
  void stop() {
    sut.stop();
  }

  private ConnAck connect(TestClient c, String clientId, String user) {
    return c.connectWith(new Connect(ProtocolVersion.MQTT_5, clientId, false, 60, null, user,
        user == null ? null : "pw".getBytes(StandardCharsets.UTF_8), ONE_HOUR));
  }

  @Test
  @DisplayName("[MQTT-3.1.4-3] an anonymous session is taken over by another anonymous client")
  void anonymousClientsShareAnonymousSessions() {
    TestClient first = new TestClient(sut, ProtocolVersion.MQTT_5);
    connect(first, "sensor-1", null);

    // Exercise
    TestClient second = new TestClient(sut, ProtocolVersion.MQTT_5);
    ConnAck ack = connect(second, "sensor-1", null);

    // Verify
    assertEquals(ReasonCode.SUCCESS, ack.reasonCode());
    assertTrue(ack.sessionPresent());
    first.expectDisconnect(ReasonCode.SESSION_TAKEN_OVER, "[MQTT-3.1.4-3]");
    assertEquals(0, sut.authStats().takeoversRefused());
  }

  @Test
  @DisplayName("[MQTT-3.1.3-5] a user cannot take an anonymous session, nor an anonymous "
      + "client a user's: 0x85, the owner stays connected")
  void anonymousAndUserSessionsAreKeptApart() {
    TestClient anonymous = new TestClient(sut, ProtocolVersion.MQTT_5);
    connect(anonymous, "sensor-1", null);
    TestClient alice = new TestClient(sut, ProtocolVersion.MQTT_5);
    connect(alice, "alice-dev", "alice");

    // Exercise
    ConnAck userForAnonymous = connect(new TestClient(sut, ProtocolVersion.MQTT_5), "sensor-1",
        "alice");
    ConnAck anonymousForUser = connect(new TestClient(sut, ProtocolVersion.MQTT_5), "alice-dev",
        null);

    // Verify
    assertEquals(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, userForAnonymous.reasonCode());
    assertEquals(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, anonymousForUser.reasonCode());
    assertFalse(userForAnonymous.sessionPresent());
    anonymous.expectNothing(sut);
    alice.expectNothing(sut);
    assertFalse(anonymous.isClosed() || alice.isClosed());
    assertEquals(2, sut.authStats().takeoversRefused());
  }

  @Test
  @DisplayName("Refused takeovers are counted each time and logged as a WARNING once per client "
      + "id, naming the owner, so a client retrying cannot flood the log")
  void refusalsAreLoggedOncePerClientId() {
    try (LogCapture warnings = LogCapture.warnings("org.ferrymq.engine.SessionOwnership")) {
      connect(new TestClient(sut, ProtocolVersion.MQTT_5), "alice-dev", "alice");

      // Exercise
      for (int i = 0; i < 3; i++) {
        assertEquals(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
            connect(new TestClient(sut, ProtocolVersion.MQTT_5), "alice-dev", "mallory")
                .reasonCode());
      }

      // Verify
      assertEquals(3, sut.authStats().takeoversRefused());
      assertEquals(1, warnings.messages().size(), warnings.messages()::toString);
      String line = warnings.messages().get(0);
      assertTrue(line.contains("'alice-dev'") && line.contains("user 'mallory'")
          && line.contains("belongs to user 'alice'"), line);
    }
  }

  @Test
  @DisplayName("A client whose id is the former in-process form gets a session of its own; the "
      + "in-process subscription, which has none, keeps receiving")
  void inProcessSubscriptionIsNeverTakenOver() {
    List<Message> received = new CopyOnWriteArrayList<>();
    LocalSubscription local = sut.subscribe("app/#", QoS.AT_LEAST_ONCE, received::add);
    String formerLocalId = "$local-1"; // how the first in-process subscription was keyed once

    // Exercise
    ConnAck ack = new TestClient(sut, ProtocolVersion.MQTT_5).connectWith(new Connect(
        ProtocolVersion.MQTT_5, formerLocalId, true, 60, null, null, null, Properties.EMPTY));
    TestClient publisher = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    publisher.publishAcked("app/x", "still here");

    // Verify
    assertEquals(ReasonCode.SUCCESS, ack.reasonCode());
    TestBrokers.drainLanes(sut);
    assertEquals(1, received.size());
    assertEquals(0, sut.authStats().takeoversRefused());
    local.close();
  }
}
