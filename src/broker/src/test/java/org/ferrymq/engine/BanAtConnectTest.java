package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.security.ban.Ban;
import org.ferrymq.security.ban.BanKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Bans at CONNECT: a banned client id, user name or address gets CONNACK 0x8A Banned (MQTT
 * 3.1.1: return code 5, read back as Not authorized), is closed [MQTT-3.2.2-7], and is counted
 * as an {@link AuthRefusal#BANNED} refusal; a ban on a connected client disconnects it with
 * 0x98 Administrative action (0x8A is not a DISCONNECT reason code).
 */
class BanAtConnectTest {
  private MqttBroker sut;

  @BeforeEach
  void start() {
    sut = TestBrokers.started();
  }

  @AfterEach
  void stop() {
    sut.stop();
  }

  private static Ban ban(BanKind kind, String value) {
    return new Ban(kind, value, "test", Instant.EPOCH);
  }

  private static ConnAck connect(TestClient c, String clientId, String username) {
    return c.connectWith(new Connect(c.version, clientId, true, 60, null, username,
        username == null ? null : "pw".getBytes(StandardCharsets.UTF_8), Properties.EMPTY));
  }

  private long bannedRefusals() {
    return sut.securityStats().authRefusals().get(AuthRefusal.BANNED);
  }

  @Test
  @DisplayName("[MQTT-3.2.2-7] a banned client id gets CONNACK 0x8A (v5) and the connection closes")
  void bannedClientIdIsRefusedV5() {
    sut.ban(ban(BanKind.CLIENT_ID, "evil"));
    TestClient client = new TestClient(sut, ProtocolVersion.MQTT_5);

    ConnAck ack = connect(client, "evil", null);

    assertEquals(ReasonCode.BANNED, ack.reasonCode());
    client.awaitClosed("[MQTT-3.2.2-7]");
    assertEquals(1, bannedRefusals());
  }

  @Test
  @DisplayName("[MQTT-3.2.2-6] MQTT 3.1.1: a banned user name gets return code 5, not authorized")
  void bannedUsernameIsRefusedV3() {
    sut.ban(ban(BanKind.USERNAME, "mallory"));
    TestClient client = new TestClient(sut, ProtocolVersion.MQTT_3_1_1);

    ConnAck ack = connect(client, "c1", "mallory");

    assertEquals(ReasonCode.NOT_AUTHORIZED, ack.reasonCode(), "return code 5 on the wire");
    client.awaitClosed("[MQTT-3.2.2-7]");
    assertEquals(1, bannedRefusals());
  }

  @Test
  @DisplayName("an address in a banned CIDR range is refused; one outside it connects")
  void bannedAddressRangeIsRefused() {
    sut.ban(ban(BanKind.ADDRESS, "10.1.0.0/16"));
    TestClient inside = new TestClient(sut, ProtocolVersion.MQTT_5,
        new FakeTransport(ProtocolVersion.MQTT_5, new InetSocketAddress("10.1.2.3", 4000)));
    TestClient outside = new TestClient(sut, ProtocolVersion.MQTT_5,
        new FakeTransport(ProtocolVersion.MQTT_5, new InetSocketAddress("10.2.2.3", 4000)));

    assertEquals(ReasonCode.BANNED, connect(inside, "in", null).reasonCode());
    assertEquals(ReasonCode.SUCCESS, connect(outside, "out", null).reasonCode());
  }

  @Test
  @DisplayName("banning a connected client sends DISCONNECT 0x98 [MQTT-4.13.1-1]; unbanned, it "
      + "connects again")
  void banningAConnectedClientDisconnectsIt() {
    TestClient client = TestClient.connect(sut, ProtocolVersion.MQTT_5, "victim", true);
    TestClient bystander = TestClient.connect(sut, ProtocolVersion.MQTT_5, "bystander", true);

    sut.ban(ban(BanKind.CLIENT_ID, "victim"));

    client.expectDisconnect(ReasonCode.ADMINISTRATIVE_ACTION, "[MQTT-4.13.1-1]");
    client.awaitClosed("[MQTT-4.13.1-1]");
    assertFalse(bystander.isClosed());
    assertTrue(sut.unban(BanKind.CLIENT_ID, "victim"));
    assertEquals(ReasonCode.SUCCESS, connect(new TestClient(sut, ProtocolVersion.MQTT_5),
        "victim", null).reasonCode());
  }
}
