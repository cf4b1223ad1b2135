package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.SubAck;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of cluster-wide sessions, without a cluster: broker B's {@link
 * SessionHandover} asks broker A through A's {@link ClusterPort#handOver}, as the cluster's
 * executor task does. A session moves with its subscriptions, queue and Will; the holder
 * disconnects its client as a takeover does, and keeps the session for another identity.
 */
class SessionHandoverTest {
  private static final Properties KEEP = Properties.builder()
      .put(Property.SESSION_EXPIRY_INTERVAL, 300L).build();
  private final MqttBroker a = TestBrokers.started();
  private final MqttBroker b = TestBrokers.started(builder -> builder.sessionHandover(
      (id, user, clean) -> a.clusterPort().handOver(id, user, clean, null)));

  @AfterEach
  void stop() {
    a.stop();
    b.stop();
  }

  @Test
  void aSessionMovesWithItsSubscriptionAndQueuedMessages() {
    TestClient first = connect(a, "mover", "alice", false);
    first.subscribe("move/#", QoS.AT_LEAST_ONCE);
    first.send(new Disconnect(ReasonCode.SUCCESS, Properties.EMPTY));
    first.awaitClosed("DISCONNECT");
    TestClient publisher = TestClient.connect(a, ProtocolVersion.MQTT_5, "pub", true);
    publisher.publishAcked("move/1", "one");
    publisher.publishAcked("move/2", "two");

    // Exercise
    TestClient second = new TestClient(b, ProtocolVersion.MQTT_5);
    ConnAck ack = second.connectWith(connectAs("mover", "alice", false, null));

    // Verify
    assertEquals(ReasonCode.SUCCESS, ack.reasonCode());
    assertTrue(ack.sessionPresent(), "[MQTT-3.2.2-3] the session handed over is present");
    second.expectPublish("move/1", "one");
    second.expectPublish("move/2", "two");
    TestBrokers.drainLanes(a);
    assertNull(a.core().session("mover"), "the session left its former node");
    assertTrue(a.persistence().sessions().loadSessions().isEmpty(), "nor is it stored there");
    TestClient onB = TestClient.connect(b, ProtocolVersion.MQTT_5, "pub-b", true);
    onB.publishAcked("move/3", "three");
    second.expectPublish("move/3", "three");
  }

  @Test
  void theHoldersClientIsDisconnectedAsInATakeover() {
    TestClient first = connect(a, "taken", null, false);

    TestClient second = new TestClient(b, ProtocolVersion.MQTT_5);
    ConnAck ack = second.connectWith(connectAs("taken", null, false, null));

    first.expectDisconnect(ReasonCode.SESSION_TAKEN_OVER, "[MQTT-3.1.4-3]");
    assertEquals(ReasonCode.SUCCESS, ack.reasonCode());
    assertTrue(ack.sessionPresent(), "[MQTT-3.2.2-3]");
  }

  @Test
  void anotherIdentityIsRefusedAndTheOwnerKeepsItsSession() {
    TestClient owner = connect(a, "mine", "alice", false);

    TestClient other = new TestClient(b, ProtocolVersion.MQTT_5);
    ConnAck ack = other.connectWith(connectAs("mine", "mallory", false, null));

    assertEquals(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, ack.reasonCode(), "[MQTT-3.1.3-5]");
    other.awaitClosed("[MQTT-3.2.2-7]");
    assertFalse(owner.isClosed(), "the owner stays connected");
    TestBrokers.drainLanes(a);
    assertNotNull(a.core().session("mine"));
    assertNull(b.core().session("mine"));
  }

  @Test
  void aCleanStartEndsTheSessionOnItsNode() {
    TestClient first = connect(a, "fresh", null, false);
    first.subscribe("fresh/#", QoS.AT_LEAST_ONCE);
    first.send(new Disconnect(ReasonCode.SUCCESS, Properties.EMPTY));
    first.awaitClosed("DISCONNECT");

    TestClient second = new TestClient(b, ProtocolVersion.MQTT_5);
    ConnAck ack = second.connectWith(connectAs("fresh", null, true, null));

    assertFalse(ack.sessionPresent(), "[MQTT-3.2.2-2] clean start: no session present");
    TestBrokers.drainLanes(a);
    assertNull(a.core().session("fresh"), "the old session ended on its node");
    TestClient publisher = TestClient.connect(a, ProtocolVersion.MQTT_5, "pub-f", true);
    publisher.publishAcked("fresh/1", "gone");
    second.expectNothing(b);
  }

  @Test
  void aHeldWillMovesAndIsCancelledByTheResumption() {
    TestClient watcher = TestClient.connect(a, ProtocolVersion.MQTT_5, "watcher", true);
    watcher.subscribe("will/#", QoS.AT_LEAST_ONCE);
    Properties delayed = Properties.builder().put(Property.WILL_DELAY_INTERVAL, 60L).build();
    TestClient first = new TestClient(a, ProtocolVersion.MQTT_5);
    first.connectWith(connectAs("willing", null, false,
        TestClient.will("will/willing", "gone", QoS.AT_LEAST_ONCE, false, delayed)));

    TestClient second = new TestClient(b, ProtocolVersion.MQTT_5);
    second.connectWith(connectAs("willing", null, false, null));
    first.expectDisconnect(ReasonCode.SESSION_TAKEN_OVER, "[MQTT-3.1.4-3]");

    // [MQTT-3.1.3-9] the delayed Will was held, moved, and the resumption cancelled it
    TestBrokers.drainLanes(a);
    TestBrokers.drainLanes(b);
    watcher.expectNothing(a);
  }

  @Test
  void aWillWithoutDelayIsPublishedOnceByTheHolder() {
    TestClient watcher = TestClient.connect(a, ProtocolVersion.MQTT_5, "watcher", true);
    watcher.subscribe("will/#", QoS.AT_LEAST_ONCE);
    TestClient first = new TestClient(a, ProtocolVersion.MQTT_5);
    first.connectWith(connectAs("dying", null, false,
        TestClient.will("will/dying", "gone", QoS.AT_LEAST_ONCE, false, Properties.EMPTY)));

    TestClient second = new TestClient(b, ProtocolVersion.MQTT_5);
    second.connectWith(connectAs("dying", null, false, null));

    first.expectDisconnect(ReasonCode.SESSION_TAKEN_OVER, "[MQTT-3.1.4-3]");
    Publish will = watcher.expectPublish("will/dying", "gone");
    watcher.puback(will);
    TestBrokers.drainLanes(b);
    watcher.expectNothing(a);
  }

  @Test
  void packetsSentWhileTheSessionIsHandedOverAreProcessedAfterConnAck() {
    CompletableFuture<SessionClaim> later = new CompletableFuture<>();
    MqttBroker c = TestBrokers.started(builder -> builder.sessionHandover(
        (id, user, clean) -> later));
    try {
      TestClient client = new TestClient(c, ProtocolVersion.MQTT_5);
      client.send(connectAs("waits", null, false, null));
      client.send(new Subscribe(1, List.of(new Subscription("wait/#", QoS.AT_LEAST_ONCE)),
          Properties.EMPTY));
      TestBrokers.drainLanes(c);
      assertNull(client.transport.pollNow(), "nothing is answered while the claim runs");

      later.complete(SessionClaim.notHeld());

      ConnAck ack = client.expect(ConnAck.class);
      assertFalse(ack.sessionPresent(), "[MQTT-3.2.2-3] no session anywhere: none present");
      assertEquals(1, client.expect(SubAck.class).packetId(), "the SUBSCRIBE kept meanwhile");
    } finally {
      c.stop();
    }
  }

  @Test
  void aHolderThatDoesNotAnswerMakesTheServerUnavailable() {
    MqttBroker c = TestBrokers.started(builder -> builder.sessionHandover(
        (id, user, clean) -> CompletableFuture.completedFuture(
            SessionClaim.unavailable("no answer within 10 s"))));
    try {
      TestClient v5 = new TestClient(c, ProtocolVersion.MQTT_5);
      ConnAck ack5 = v5.connectWith(connectAs("late", null, false, null));
      TestClient v3 = new TestClient(c, ProtocolVersion.MQTT_3_1_1);
      ConnAck ack3 = v3.connectWith(new Connect(ProtocolVersion.MQTT_3_1_1, "late-3", false, 60,
          null, null, null, Properties.EMPTY));

      assertEquals(ReasonCode.SERVER_UNAVAILABLE, ack5.reasonCode(), "0x88");
      assertEquals(ReasonCode.SERVER_UNAVAILABLE, ack3.reasonCode(), "return code 3");
      v5.awaitClosed("[MQTT-3.2.2-7]");
      v3.awaitClosed("[MQTT-3.2.2-7]");
      assertNull(c.core().session("late"));
    } finally {
      c.stop();
    }
  }

  private static TestClient connect(MqttBroker broker, String clientId, String user,
      boolean cleanStart) {
    TestClient client = new TestClient(broker, ProtocolVersion.MQTT_5);
    ConnAck ack = client.connectWith(connectAs(clientId, user, cleanStart, null));
    assertEquals(ReasonCode.SUCCESS, ack.reasonCode());
    return client;
  }

  private static Connect connectAs(String clientId, String user, boolean cleanStart,
      org.ferrymq.packet.Will will) {
    return new Connect(ProtocolVersion.MQTT_5, clientId, cleanStart, 60, will, user,
        user == null ? null : "secret".getBytes(StandardCharsets.UTF_8), KEEP);
  }
}
