package org.ferrymq.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.security.AuthenticationResult;
import org.ferrymq.security.Authenticator;
import org.ferrymq.security.ClientIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Credential checks run off the session lanes: a check that hangs (a slow user registry, a JWKS
 * endpoint that does not answer) delays only its own CONNECT. Every broker here has ONE lane, so
 * the hanging client and the others share it; the checks hang on a latch, and the assertions are
 * on order (what arrived while the latch was still closed), not on timings.
 */
class AuthOffLaneTest {

  /** Released by each test; user "slow" waits for it, everyone else is accepted at once. */
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch slowChecksStarted = new CountDownLatch(1);
  private MqttBroker sut;

  private final Authenticator slowForOneUser = request -> {
    if ("slow".equals(request.username())) {
      slowChecksStarted.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return new AuthenticationResult.Success(new ClientIdentity(request.clientId(),
        request.username(), java.util.Set.of()));
  };

  @AfterEach
  void stop() {
    release.countDown();
    if (sut != null) {
      sut.stop();
    }
  }

  private MqttBroker start(String... settings) {
    String[] all = new String[settings.length + 2];
    all[0] = "mqtt.lanes";
    all[1] = "1";
    System.arraycopy(settings, 0, all, 2, settings.length);
    sut = MqttBroker.builder().config(TestBrokers.config(all)).authenticator(slowForOneUser)
        .build();
    sut.start();
    return sut;
  }

  private static Connect connect(ProtocolVersion v, String clientId, String user, boolean clean,
      Properties props) {
    return new Connect(v, clientId, clean, 60, null, user, "pw".getBytes(StandardCharsets.UTF_8),
        props);
  }

  private static Publish publish(String topic, String payload, int id) {
    return new Publish(topic, payload.getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, false,
        false, id, Properties.EMPTY);
  }

  @Test
  void otherClientsOnTheLaneGetConnAckAndPubAckWhileACheckHangs() throws Exception {
    start();
    TestClient watcher = TestClient.connect(sut, ProtocolVersion.MQTT_5, "watcher", true);
    watcher.subscribe("slow/#", QoS.AT_LEAST_ONCE);
    // Exercise: the slow client pipelines two QoS 1 PUBLISHes right behind its CONNECT
    TestClient slow = new TestClient(sut, ProtocolVersion.MQTT_5);
    slow.send(connect(ProtocolVersion.MQTT_5, "slow-1", "slow", true, Properties.EMPTY));
    slow.send(publish("slow/a", "first", 1));
    slow.send(publish("slow/a", "second", 2));
    assertTrue(slowChecksStarted.await(5, TimeUnit.SECONDS));

    // Verify: a client of the same lane connects and publishes while the check still hangs
    TestClient fast = new TestClient(sut, ProtocolVersion.MQTT_3_1_1);
    ConnAck fastAck = fast.connectWith(connect(ProtocolVersion.MQTT_3_1_1, "fast-1", "fast",
        true, Properties.EMPTY));
    assertEquals(ReasonCode.SUCCESS, fastAck.reasonCode());
    assertEquals(1, fast.publishAcked("other/topic", "x").packetId());
    assertEquals(1, release.getCount(), "the slow check was still hanging");
    assertNull(slow.transport.pollNow(), "no CONNACK before the check ends");
    await("only the slow check is left").atMost(Duration.ofSeconds(5))
        .until(() -> sut.authStats().checksPending() == 1);

    // Exercise: the check ends
    release.countDown();

    // Verify: CONNACK, then the PUBLISHes sent before it, in order [MQTT-4.6.0-2]
    assertEquals(ReasonCode.SUCCESS, slow.expect(ConnAck.class).reasonCode());
    assertEquals(1, slow.expect(PubAck.class).packetId());
    assertEquals(2, slow.expect(PubAck.class).packetId());
    watcher.expectPublish("slow/a", "first");
    watcher.expectPublish("slow/a", "second");
  }

  @Test
  void packetsSentDuringTheCheckPauseReadingPastTheLimitAndResumeAfterConnAck() {
    start();
    TestClient slow = new TestClient(sut, ProtocolVersion.MQTT_5);
    slow.send(connect(ProtocolVersion.MQTT_5, "slow-2", "slow", true, Properties.EMPTY));
    byte[] big = new byte[(int) ConnectionHandler.DEFERRED_READ_LIMIT + 1];
    slow.send(new Publish("slow/big", big, QoS.AT_LEAST_ONCE, false, false, 1,
        Properties.EMPTY));

    await("reading paused while the check hangs").atMost(Duration.ofSeconds(5))
        .until(slow.transport::readingPaused);
    release.countDown();

    assertEquals(ReasonCode.SUCCESS, slow.expect(ConnAck.class).reasonCode());
    assertEquals(1, slow.expect(PubAck.class).packetId());
    await("reading resumed").atMost(Duration.ofSeconds(5))
        .until(() -> !slow.transport.readingPaused());
  }

  @Test
  void aConnectionClosedWhileItsCheckHangsGetsNoSession() throws Exception {
    start();
    TestClient slow = new TestClient(sut, ProtocolVersion.MQTT_5);
    // A persistent session would outlive the connection, if one were created
    slow.send(connect(ProtocolVersion.MQTT_5, "gone", "slow", false,
        Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 3600L).build()));
    assertTrue(slowChecksStarted.await(5, TimeUnit.SECONDS));

    slow.disconnectAbruptly();
    release.countDown();
    await("the check ended").atMost(Duration.ofSeconds(5))
        .until(() -> sut.authStats().checksPending() == 0);
    TestBrokers.drainLanes(sut);

    assertTrue(sut.clients().stream().noneMatch(c -> c.clientId().equals("gone")));
    assertEquals(0, sut.stats().clientsConnected());
    assertNull(slow.transport.pollNow(), "no CONNACK for a closed connection");
  }

  @Test
  void theConnectTimeoutStillAppliesWhileTheCheckHangs() throws Exception {
    start("mqtt.connect-timeout", "1");
    TestClient slow = new TestClient(sut, ProtocolVersion.MQTT_3_1_1);
    slow.send(connect(ProtocolVersion.MQTT_3_1_1, "late", "slow", false, Properties.EMPTY));
    assertTrue(slowChecksStarted.await(5, TimeUnit.SECONDS));

    await("closed by the connect timeout").atMost(Duration.ofSeconds(10))
        .until(slow::isClosed);
    release.countDown();
    await("the check ended").atMost(Duration.ofSeconds(5))
        .until(() -> sut.authStats().checksPending() == 0);
    TestBrokers.drainLanes(sut);

    assertTrue(sut.clients().stream().noneMatch(c -> c.clientId().equals("late")));
    assertNull(slow.transport.pollNow(), "no CONNACK after the timeout");
  }

  @Test
  void aFullCheckQueueRefusesWithServerBusyAndTheQueuedChecksStillComplete() throws Exception {
    start("mqtt.auth.threads", "1", "mqtt.auth.queue", "1");
    TestClient running = new TestClient(sut, ProtocolVersion.MQTT_5);
    running.send(connect(ProtocolVersion.MQTT_5, "running", "slow", true, Properties.EMPTY));
    assertTrue(slowChecksStarted.await(5, TimeUnit.SECONDS));
    TestClient queued = new TestClient(sut, ProtocolVersion.MQTT_5);
    queued.send(connect(ProtocolVersion.MQTT_5, "queued", "slow", true, Properties.EMPTY));
    await().atMost(Duration.ofSeconds(5)).until(() -> sut.authStats().checksPending() == 2);

    // Exercise: two more logins while one check runs and one waits
    TestClient v5 = new TestClient(sut, ProtocolVersion.MQTT_5);
    ConnAck busy5 = v5.connectWith(connect(ProtocolVersion.MQTT_5, "v5", "u", true,
        Properties.EMPTY));
    TestClient v3 = new TestClient(sut, ProtocolVersion.MQTT_3_1_1);
    ConnAck busy3 = v3.connectWith(connect(ProtocolVersion.MQTT_3_1_1, "v3", "u", true,
        Properties.EMPTY));

    // Verify: 0x89 Server busy, and return code 3 Server unavailable for MQTT 3.1.1
    assertEquals(ReasonCode.SERVER_BUSY, busy5.reasonCode(), "[MQTT-3.2.2-7]");
    assertEquals(3, busy3.reasonCode().v3ConnectReturnCode(), "3.2.2.3 return code 3");
    v5.awaitClosed("[MQTT-3.2.2-7]");
    v3.awaitClosed("[MQTT-3.2.2-7]");
    assertEquals(2, sut.authStats().refusedBusy());

    release.countDown();
    assertEquals(ReasonCode.SUCCESS, running.expect(ConnAck.class).reasonCode());
    assertEquals(ReasonCode.SUCCESS, queued.expect(ConnAck.class).reasonCode());
    assertFalse(queued.isClosed());
  }
}
