package org.ferrymq.engine.spec.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.SubAck;
import org.ferrymq.security.AuthenticationResult;
import org.ferrymq.security.Authorizer;
import org.ferrymq.security.ClientIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The authentication and authorization SPI as seen on the wire (MQTT 5 5.4.1 and 5.4.2; 3.1.1
 * 5.4.1 and 5.4.2): refused CONNECT, and denied PUBLISH and SUBSCRIBE per protocol version.
 */
class SecuritySpiTest {
  /**
   * Lets "reader" subscribe to "open/#" only, receive nothing under "open/secret/" and publish
   * nowhere; anyone else does anything.
   */
  private static final Authorizer READ_ONLY_READER = new Authorizer() {
    @Override
    public boolean canPublish(ClientIdentity client, String topic) {
      return !"reader".equals(client.username());
    }

    @Override
    public boolean canSubscribe(ClientIdentity client, String filter) {
      return !"reader".equals(client.username()) || filter.startsWith("open/");
    }

    @Override
    public boolean canReceive(ClientIdentity client, String topic) {
      return !"reader".equals(client.username()) || !topic.startsWith("open/secret/");
    }
  };

  private final MqttBroker sut = TestBrokers.started(b -> b
      .authenticator(request -> "good".equals(request.password() == null ? null
          : new String(request.password()))
          ? new AuthenticationResult.Success(new ClientIdentity(request.clientId(),
              request.username(), java.util.Set.of()))
          : new AuthenticationResult.Failure(ReasonCode.BAD_USER_NAME_OR_PASSWORD, "bad"))
      .authorizer(READ_ONLY_READER));

  @AfterEach
  void stop() {
    sut.stop();
  }

  private TestClient login(ProtocolVersion v, String user) {
    TestClient c = new TestClient(sut, v);
    ConnAck ack = c.connectWith(new Connect(v, user + "-id", true, 60, null, user,
        "good".getBytes(), null));
    assertEquals(ReasonCode.SUCCESS, ack.reasonCode());
    return c;
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  @DisplayName("[MQTT-3.1.4-2] a failing Authenticator refuses the CONNECT: 0x86 (v5), return"
      + " code 4 (3.x), then close")
  void failingAuthenticator(ProtocolVersion version) {
    TestClient c = new TestClient(sut, version);

    // Exercise
    ConnAck ack = c.connectWith(new Connect(version, "intruder", true, 60, null, "intruder",
        "bad".getBytes(), null));

    // Verify
    assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD, ack.reasonCode());
    assertEquals(4, ack.reasonCode().v3ConnectReturnCode());
    c.awaitClosed("[MQTT-3.2.2-7]");
    assertEquals(0, sut.stats().clientsConnected());
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  @DisplayName("5.4.2: a PUBLISH the Authorizer denies is not routed; v5 PUBACK 0x87, 3.x PUBACK"
      + " (no negative acknowledgement) and the message dropped")
  void deniedPublish(ProtocolVersion version) {
    TestClient watcher = login(ProtocolVersion.MQTT_5, "admin");
    watcher.subscribe("#", QoS.AT_MOST_ONCE);
    TestClient reader = login(version, "reader");

    // Exercise
    reader.publish("open/t", "denied", QoS.AT_LEAST_ONCE, false);

    // Verify
    PubAck ack = reader.expect(PubAck.class);
    assertEquals(version.isV5() ? ReasonCode.NOT_AUTHORIZED : ReasonCode.SUCCESS,
        ack.reasonCode());
    watcher.expectNothing(sut);
    assertEquals(version.isV5() ? 0 : 1, sut.stats().messagesDropped());
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  @DisplayName("[MQTT-3.9.3-1] a SUBSCRIBE filter the Authorizer denies: SUBACK 0x87 (v5), 0x80"
      + " (3.x), the others granted in order")
  void deniedSubscribe(ProtocolVersion version) {
    TestClient reader = login(version, "reader");

    // Exercise
    SubAck ack = reader.subscribe(org.ferrymq.packet.Properties.EMPTY,
        new org.ferrymq.packet.Subscription("secret/#", QoS.AT_LEAST_ONCE),
        new org.ferrymq.packet.Subscription("open/news", QoS.AT_LEAST_ONCE));

    // Verify
    ReasonCode denied = ack.reasonCodes().get(0);
    if (version.isV5()) {
      assertEquals(ReasonCode.NOT_AUTHORIZED, denied);
    } else {
      assertEquals(0x80, denied.v3SubAckReturnCode());
    }
    assertEquals(ReasonCode.GRANTED_QOS_1, ack.reasonCodes().get(1));
    assertEquals(List.of("reader-id"), sut.clients().stream()
        .filter(c -> c.subscriptions() == 1).map(c -> c.clientId()).toList());
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  @DisplayName("a wide subscription carries only the topics Authorizer.canReceive allows, at any"
      + " QoS")
  void wideSubscriptionIsFilteredPerMessage(ProtocolVersion version) {
    TestClient reader = login(version, "reader");
    TestClient writer = login(ProtocolVersion.MQTT_5, "writer");
    assertEquals(List.of(ReasonCode.GRANTED_QOS_1),
        reader.subscribe("open/#", QoS.AT_LEAST_ONCE).reasonCodes());

    // Exercise
    writer.publish("open/secret/plan", "hidden-0", QoS.AT_MOST_ONCE, false);
    writer.publishAcked("open/secret/plan", "hidden-1");
    writer.publishAcked("open/news", "visible");

    // Verify: only the allowed topic arrives, and nothing after it
    reader.puback(reader.expectPublish("open/news", "visible"));
    reader.expectNothing(sut);
  }
}
