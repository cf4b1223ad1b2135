package org.ferrymq.engine.spec.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.Auth;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.security.EnhancedAuthenticator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5 enhanced authentication (section 4.12): the CONNECT/AUTH exchange and
 * re-authentication, driven by a challenge/response {@link EnhancedAuthenticator}.
 */
class EnhancedAuthTest {
  private static final String METHOD = ChallengeResponse.METHOD;

  private final MqttBroker sut = TestBrokers.started(b -> b.enhancedAuthenticators(
      List.of(new ChallengeResponse())));

  @AfterEach
  void stop() {
    sut.stop();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Properties auth(String method, String data) {
    Properties.Builder b = Properties.builder().put(Property.AUTHENTICATION_METHOD, method);
    if (data != null) {
      b.put(Property.AUTHENTICATION_DATA, bytes(data));
    }
    return b.build();
  }

  private static String reversed(String s) {
    return new StringBuilder(s).reverse().toString();
  }

  /** CONNECT with the method, answers the challenge, returns the client after CONNACK. */
  private TestClient authenticated(String user) {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_5);
    c.send(new Connect(ProtocolVersion.MQTT_5, "c-" + user, true, 60, null, null, null,
        auth(METHOD, user)));
    Auth challenge = c.expect(Auth.class);
    String nonce = new String(challenge.properties().getBytes(Property.AUTHENTICATION_DATA),
        StandardCharsets.UTF_8);
    c.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth(METHOD, reversed(nonce))));
    assertEquals(ReasonCode.SUCCESS, c.expect(ConnAck.class).reasonCode());
    return c;
  }

  @Test
  @DisplayName("4.12: CONNECT with Authentication Method -> AUTH 0x18 challenge -> AUTH 0x18"
      + " response -> CONNACK with the method and final data")
  void challengeResponseExchange() {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_5);

    // Exercise
    c.send(new Connect(ProtocolVersion.MQTT_5, "alice-client", true, 60, null, null, null,
        auth(METHOD, "alice")));
    Auth challenge = c.expect(Auth.class);
    c.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth(METHOD, reversed("nonce-alice"))));
    ConnAck ack = c.expect(ConnAck.class);

    // Verify
    assertEquals(ReasonCode.CONTINUE_AUTHENTICATION, challenge.reasonCode());
    assertEquals(METHOD, challenge.properties().getString(Property.AUTHENTICATION_METHOD),
        "4.12: the server's AUTH carries the method");
    assertArrayEquals(bytes("nonce-alice"),
        challenge.properties().getBytes(Property.AUTHENTICATION_DATA));
    assertEquals(ReasonCode.SUCCESS, ack.reasonCode());
    assertEquals(METHOD, ack.properties().getString(Property.AUTHENTICATION_METHOD));
    assertArrayEquals(bytes("welcome alice"),
        ack.properties().getBytes(Property.AUTHENTICATION_DATA));
    assertEquals("alice", sut.clients().get(0).username());
  }

  @Test
  @DisplayName("4.12: an Authentication Method the broker does not support: CONNACK 0x8C")
  void unknownMethod() {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_5);

    ConnAck ack = c.connectWith(new Connect(ProtocolVersion.MQTT_5, "c", true, 60, null, null,
        null, auth("SCRAM-SHA-1024", "x")));

    assertEquals(ReasonCode.BAD_AUTHENTICATION_METHOD, ack.reasonCode());
    c.awaitClosed("[MQTT-3.2.2-7]");
  }

  @Test
  @DisplayName("4.12: a failed exchange is refused with CONNACK carrying the authenticator's"
      + " reason code")
  void failedExchange() {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_5);
    c.send(new Connect(ProtocolVersion.MQTT_5, "c", true, 60, null, null, null,
        auth(METHOD, "mallory")));
    c.expect(Auth.class);

    // Exercise
    c.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth(METHOD, "guess")));

    // Verify
    assertEquals(ReasonCode.NOT_AUTHORIZED, c.expect(ConnAck.class).reasonCode());
    c.awaitClosed("[MQTT-3.2.2-7]");
    assertEquals(0, sut.stats().clientsConnected());
  }

  @Test
  @DisplayName("4.12: a PUBLISH before the exchange completes (only AUTH or DISCONNECT are allowed)"
      + " closes the connection without CONNACK")
  void onlyAuthBeforeConnAck() {
    TestClient c = new TestClient(sut, ProtocolVersion.MQTT_5);
    c.send(new Connect(ProtocolVersion.MQTT_5, "c", true, 60, null, null, null,
        auth(METHOD, "eve")));
    c.expect(Auth.class);

    c.publish("t", "too early", QoS.AT_MOST_ONCE, false);

    c.awaitClosed("4.12");
    assertEquals(0, sut.stats().clientsConnected());
  }

  @Test
  @DisplayName("3.1 (non-normative): a client that stops answering during the AUTH exchange is"
      + " closed after mqtt.connect-timeout, without CONNACK")
  void stalledExchangeTimesOut() {
    MqttBroker strict = TestBrokers.started(b -> b.enhancedAuthenticators(
        List.of(new ChallengeResponse())).config(TestBrokers.config("mqtt.connect-timeout", "1")));
    try {
      TestClient c = new TestClient(strict, ProtocolVersion.MQTT_5);
      c.send(new Connect(ProtocolVersion.MQTT_5, "c", true, 60, null, null, null,
          auth(METHOD, "sleepy")));
      c.expect(Auth.class);

      // Exercise: no answer to the challenge

      // Verify
      c.awaitClosed("connect timeout during authentication");
      c.expectNothing(strict);
    } finally {
      strict.stop();
    }
  }

  @Test
  @DisplayName("4.12.1: re-authentication: AUTH 0x19 -> AUTH 0x18 -> AUTH 0x18 -> AUTH 0x00,"
      + " the connection stays up")
  void reauthentication() {
    TestClient c = authenticated("bob");

    // Exercise
    c.send(new Auth(ReasonCode.RE_AUTHENTICATE, auth(METHOD, "bob")));
    Auth challenge = c.expect(Auth.class);
    c.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth(METHOD, reversed("nonce-bob"))));
    Auth done = c.expect(Auth.class);

    // Verify
    assertEquals(ReasonCode.CONTINUE_AUTHENTICATION, challenge.reasonCode());
    assertEquals(ReasonCode.SUCCESS, done.reasonCode());
    assertEquals(METHOD, done.properties().getString(Property.AUTHENTICATION_METHOD));
    assertFalse(c.isClosed());
    assertEquals(ReasonCode.GRANTED_QOS_1, c.subscribe("t", QoS.AT_LEAST_ONCE).reasonCodes()
        .get(0), "the connection works after re-authentication");
  }

  @Test
  @DisplayName("4.12.1: re-authenticating as another user cannot hand the session to it: "
      + "DISCONNECT 0x87 instead of AUTH 0x00")
  void reauthenticationAsAnotherUserIsRefused() {
    TestClient c = authenticated("bob");

    // Exercise
    c.send(new Auth(ReasonCode.RE_AUTHENTICATE, auth(METHOD, "mallory")));
    c.expect(Auth.class);
    c.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth(METHOD, reversed("nonce-mallory"))));

    // Verify
    c.expectDisconnect(ReasonCode.NOT_AUTHORIZED, "4.12.1");
  }

  @Test
  @DisplayName("4.12.1: a failed re-authentication disconnects with the reason code")
  void failedReauthentication() {
    TestClient c = authenticated("bob");

    c.send(new Auth(ReasonCode.RE_AUTHENTICATE, auth(METHOD, "bob")));
    c.expect(Auth.class);
    c.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth(METHOD, "wrong")));

    c.expectDisconnect(ReasonCode.NOT_AUTHORIZED, "4.12.1");
  }

  @Test
  @DisplayName("[MQTT-4.12.1-1] re-authentication with another method is a Protocol Error:"
      + " DISCONNECT 0x82")
  void reauthenticationWithAnotherMethod() {
    TestClient c = authenticated("bob");

    c.send(new Auth(ReasonCode.RE_AUTHENTICATE, auth("OTHER", "bob")));

    c.expectDisconnect(ReasonCode.PROTOCOL_ERROR, "[MQTT-4.12.1-1]");
  }
}
