package org.ferrymq.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.ferrymq.packet.Auth;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.security.ClientIdentity;
import org.ferrymq.security.EnhancedAuthenticator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The steps of MQTT 5 enhanced authentication (SCRAM and the like: a proof to check, stored
 * keys to look up) run off the session lanes, like plain credential checks ({@link
 * AuthOffLaneTest}). The broker has ONE lane; the authenticator's step for the user "slow" hangs
 * on a latch, and the assertions are on what happened while it still hung.
 */
class EnhancedAuthOffLaneTest {
  private static final String METHOD = "X-TEST-HANG";

  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch stepStarted = new CountDownLatch(1);
  private MqttBroker sut;

  /**
   * One step: "slow" (user slow) and "&lt;user&gt;/slow" (that user) hang until released, every
   * user then succeeds.
   */
  private final EnhancedAuthenticator hanging = new EnhancedAuthenticator() {
    @Override
    public String method() {
      return METHOD;
    }

    @Override
    public Exchange start(org.ferrymq.security.ConnectRequest request) {
      return clientData -> {
        String data = new String(clientData, StandardCharsets.UTF_8);
        String user = data.endsWith("/slow") ? data.substring(0, data.length() - 5) : data;
        if (data.equals("slow") || data.endsWith("/slow")) {
          stepStarted.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return new AuthStep.Success(new ClientIdentity(request.clientId(), user, Set.of()),
            null);
      };
    }
  };

  @AfterEach
  void stop() {
    release.countDown();
    if (sut != null) {
      sut.stop();
    }
  }

  private void start(String... settings) {
    String[] all = new String[settings.length + 2];
    all[0] = "mqtt.lanes";
    all[1] = "1";
    System.arraycopy(settings, 0, all, 2, settings.length);
    sut = MqttBroker.builder().config(TestBrokers.config(all))
        .enhancedAuthenticators(List.of(hanging)).build();
    sut.start();
  }

  private static Properties auth(String user) {
    return Properties.builder().put(Property.AUTHENTICATION_METHOD, METHOD)
        .put(Property.AUTHENTICATION_DATA, user.getBytes(StandardCharsets.UTF_8)).build();
  }

  private static Connect connect(String clientId, String user) {
    return new Connect(ProtocolVersion.MQTT_5, clientId, true, 60, null, null, null, auth(user));
  }

  @Test
  void aHangingStepAtConnectDelaysNoOtherClientOfTheLane() throws Exception {
    start();
    TestClient slow = new TestClient(sut, ProtocolVersion.MQTT_5);
    slow.send(connect("slow-1", "slow"));
    slow.send(new Publish("slow/a", "first".getBytes(StandardCharsets.UTF_8),
        QoS.AT_LEAST_ONCE, false, false, 1, Properties.EMPTY));
    assertTrue(stepStarted.await(5, TimeUnit.SECONDS));

    // Verify: a client of the same lane authenticates and publishes meanwhile
    TestClient fast = new TestClient(sut, ProtocolVersion.MQTT_5);
    assertEquals(ReasonCode.SUCCESS, fast.connectWith(connect("fast-1", "fast")).reasonCode());
    assertEquals(1, fast.publishAcked("other/topic", "x").packetId());
    assertEquals(1, release.getCount(), "the slow step was still hanging");
    assertNull(slow.transport.pollNow(), "no CONNACK before the step ends");

    // Exercise: the step ends
    release.countDown();

    // Verify: CONNACK, then the PUBLISH sent behind the CONNECT [MQTT-4.6.0-2]
    assertEquals(ReasonCode.SUCCESS, slow.expect(ConnAck.class).reasonCode());
    assertEquals(1, slow.expect(PubAck.class).packetId());
  }

  @Test
  void aHangingReauthenticationStepLetsTheClientAndItsLaneGoOn() throws Exception {
    start();
    TestClient client = new TestClient(sut, ProtocolVersion.MQTT_5);
    assertEquals(ReasonCode.SUCCESS, client.connectWith(connect("reauth-1", "fast"))
        .reasonCode());
    TestClient other = new TestClient(sut, ProtocolVersion.MQTT_5);
    assertEquals(ReasonCode.SUCCESS, other.connectWith(connect("other-1", "fast"))
        .reasonCode());

    // Exercise: re-authentication whose step hangs [MQTT-4.12.1-1], as the same user (as
    // another one it would be refused: the session stays its owner's)
    client.send(new Auth(ReasonCode.RE_AUTHENTICATE, auth("fast/slow")));
    assertTrue(stepStarted.await(5, TimeUnit.SECONDS));

    // Verify: both clients' publishes are acknowledged while it hangs
    assertEquals(1, other.publishAcked("other/topic", "x").packetId());
    assertEquals(1, client.publishAcked("own/topic", "y").packetId());
    release.countDown();
    Auth done = client.expect(Auth.class);
    assertEquals(ReasonCode.SUCCESS, done.reasonCode(), "4.12.1: AUTH 0x00 ends it");
  }

  @Test
  void anAuthSentBeforeTheStepWasAnsweredIsAProtocolError() throws Exception {
    start();
    TestClient client = new TestClient(sut, ProtocolVersion.MQTT_5);
    assertEquals(ReasonCode.SUCCESS, client.connectWith(connect("eager-1", "fast"))
        .reasonCode());
    client.send(new Auth(ReasonCode.RE_AUTHENTICATE, auth("slow")));
    assertTrue(stepStarted.await(5, TimeUnit.SECONDS));

    // Exercise: a second AUTH while the first is unanswered
    client.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth("slow")));

    // Verify
    assertEquals(ReasonCode.PROTOCOL_ERROR,
        client.expect(org.ferrymq.packet.Disconnect.class).reasonCode());
    client.awaitClosed("protocol error");
    release.countDown();
    await("the step ended").atMost(Duration.ofSeconds(5))
        .until(() -> sut.authStats().checksPending() == 0);
  }
}
