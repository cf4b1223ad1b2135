package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ferrymq.message.Message;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.Subscription;
import org.ferrymq.topic.SubscriptionEntry;
import org.ferrymq.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A session and its connection state machine belong to one lane. With assertions enabled (as
 * surefire runs the tests) every lane-owned method checks that the calling thread runs that
 * lane, so a call from the admin thread or from another lane fails at once instead of racing.
 * Other threads read the published {@link ClientSummary} instead.
 */
class LaneConfinementTest {
  private final MqttBroker sut = TestBrokers.started();

  @AfterEach
  void stop() {
    sut.stop();
  }

  private Session sessionOf(String clientId) {
    return sut.core().session(clientId);
  }

  /** @return a lane other than the session's (the test broker has two) */
  private Lane otherLaneThan(Session s) {
    Lane[] other = new Lane[1];
    sut.core().forEachLane(lane -> {
      if (lane != s.lane()) {
        other[0] = lane;
      }
    });
    return other[0];
  }

  /** Runs the action as a task of the lane and returns what it threw, null if nothing. */
  private static Throwable thrownOn(Lane lane, Runnable action) throws Exception {
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    lane.execute(() -> {
      try {
        action.run();
        thrown.complete(null);
      } catch (Throwable t) {
        thrown.complete(t);
      }
    });
    return thrown.get(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("Assertions are enabled in the unit tests, so the confinement checks run")
  void assertionsAreEnabled() {
    assertTrue(Lane.class.desiredAssertionStatus(), "surefire runs with -ea");
  }

  @Test
  @DisplayName("Session methods called from a foreign thread fail the confinement check")
  void sessionCalledFromTheTestThreadFails() {
    TestClient.connect(sut, ProtocolVersion.MQTT_5, "owned", true);
    TestBrokers.drainLanes(sut);
    Session s = sessionOf("owned");

    // Exercise and verify
    AssertionError drain = assertThrows(AssertionError.class, () -> s.outbox().drain());
    assertTrue(drain.getMessage().contains("owned is confined to lane " + s.lane().index()),
        drain.getMessage());
    assertTrue(drain.getMessage().contains(Thread.currentThread().getName()));
    assertThrows(AssertionError.class, () -> s.deliver(Message.of("t", new byte[0],
        QoS.AT_MOST_ONCE, false), QoS.AT_MOST_ONCE, false, List.of(), null, Admission.NONE));
    assertThrows(AssertionError.class, () -> s.subscribed(SubscriptionEntry.of("owned",
        new Subscription("t/#", QoS.AT_LEAST_ONCE), 0)));
    assertThrows(AssertionError.class, () -> s.expireAfter(60));
    assertThrows(AssertionError.class, s::takeWill);
  }

  @Test
  @DisplayName("A session touched by a task of another lane fails the check; its own lane passes")
  void sessionCalledFromAnotherLaneFails() throws Exception {
    TestClient.connect(sut, ProtocolVersion.MQTT_5, "owned", true);
    TestBrokers.drainLanes(sut);
    Session s = sessionOf("owned");

    // Exercise
    Throwable fromOtherLane = thrownOn(otherLaneThan(s), () -> s.outbox().drain());
    Throwable fromOwnLane = thrownOn(s.lane(), () -> s.outbox().drain());

    // Verify
    assertTrue(fromOtherLane instanceof AssertionError, String.valueOf(fromOtherLane));
    assertNull(fromOwnLane);
  }

  @Test
  @DisplayName("An application's session is confined like a network one; its consumer's"
      + " acknowledgement, made on a container thread, runs on the lane")
  void inProcessSessionIsConfinedAndAcknowledgedOnItsLane() throws Exception {
    List<InProcessDelivery> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    sut.attachSession("app/Bean", "t/#", QoS.AT_LEAST_ONCE, 10, received::add);
    sut.publish(Message.of("t/1", new byte[0], QoS.AT_LEAST_ONCE, false));
    TestBrokers.drainLanes(sut);
    Session s = sessionOf(InProcessSubscribers.KEY_MARK + "session/app/Bean");

    // Exercise
    Throwable fromOtherLane = thrownOn(otherLaneThan(s), s::peer);
    received.get(0).acknowledge();
    TestBrokers.drainLanes(sut);

    // Verify
    assertTrue(fromOtherLane instanceof AssertionError, String.valueOf(fromOtherLane));
    assertThrows(AssertionError.class, () -> s.outbox().complete(1));
    assertEquals(0, s.summary().queuedMessages(), "acknowledged: nothing left in flight");
  }

  @Test
  @DisplayName("The connection state machine checks its lane too")
  void connectionCalledFromAForeignThreadFails() throws Exception {
    TestClient client = TestClient.connect(sut, ProtocolVersion.MQTT_5, "owned", true);
    TestBrokers.drainLanes(sut);
    ConnectionHandler c = connectionOf(sessionOf("owned"));

    // Exercise and verify
    AssertionError close = assertThrows(AssertionError.class,
        () -> c.closeWith(ReasonCode.ADMINISTRATIVE_ACTION, "from the wrong thread"));
    assertTrue(close.getMessage().contains("connection of owned"), close.getMessage());
    assertThrows(AssertionError.class, c::takeWill);
    assertTrue(!client.isClosed(), "the refused call changed nothing");
  }

  /** The connection, read on the session's lane as it must be. */
  private static ConnectionHandler connectionOf(Session s) throws Exception {
    CompletableFuture<ConnectionHandler> c = new CompletableFuture<>();
    s.lane().execute(() -> c.complete(s.connection()));
    return c.get(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("The admin view reads published snapshots from any thread, connected and not")
  void adminViewReadsSnapshots() {
    TestClient client = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "viewed", false);
    client.subscribe("a/#", QoS.AT_LEAST_ONCE);
    client.subscribe("b/#", QoS.AT_LEAST_ONCE);
    TestBrokers.drainLanes(sut);

    // Exercise: from the test thread, which runs no lane
    ClientSummary online = sut.clients().get(0);
    client.disconnectAbruptly();
    TestBrokers.drainLanes(sut);
    ClientSummary offline = sut.clients().get(0);

    // Verify
    assertEquals(new ClientSummary("viewed", true, TransportKind.LOCAL,
        ProtocolVersion.MQTT_3_1_1, online.connectedSince(), 2, 0, null), online);
    assertTrue(online.connectedSince() != null);
    assertEquals(new ClientSummary("viewed", false, null, ProtocolVersion.MQTT_3_1_1, null, 2, 0,
        null), offline);
  }
}
