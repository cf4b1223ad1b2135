package org.ferrymq.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.ferrymq.message.Message;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.mvstore.MvStorePersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Durable in-process subscribers ({@link MqttBroker#attachSession}): an application's consumer
 * as a persistent session of the broker. Messages wait while it is detached, a delivery counts
 * only once acknowledged, a restart on the embedded store keeps both, and a consumer that does
 * not keep up slows the network publishers instead of losing their messages.
 */
class InProcessSessionsTest {
  private static final String NAME = "app/module.war/Bean";

  @TempDir
  Path dir;

  private MqttBroker sut;
  private final List<InProcessDelivery> received = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (sut != null) {
      sut.stop();
    }
  }

  private LocalSubscription attach(int receiveMaximum) {
    return sut.attachSession(NAME, "orders/#", QoS.EXACTLY_ONCE, receiveMaximum, received::add);
  }

  private void publish(String topic, String payload, QoS qos) {
    sut.publish(Message.of(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false));
  }

  private List<String> payloads() {
    TestBrokers.drainLanes(sut);
    return received.stream()
        .map(d -> new String(d.message().payload(), StandardCharsets.UTF_8)).toList();
  }

  private void acknowledgeAll() {
    List<InProcessDelivery> all = List.copyOf(received);
    received.clear();
    all.forEach(InProcessDelivery::acknowledge);
    TestBrokers.drainLanes(sut);
  }

  @Test
  void messagesPublishedWhileDetachedArriveOnTheNextAttachInOrder() {
    sut = TestBrokers.started();
    attach(10).close();

    // Exercise
    publish("orders/1", "a", QoS.AT_LEAST_ONCE);
    publish("orders/2", "b", QoS.EXACTLY_ONCE);
    publish("orders/3", "at most once", QoS.AT_MOST_ONCE);
    TestBrokers.drainLanes(sut);
    attach(10);

    // Verify: QoS 0 is not kept for an absent consumer, as for an offline network client
    assertEquals(List.of("a", "b"), payloads());
    assertEquals(List.of(QoS.AT_LEAST_ONCE, QoS.EXACTLY_ONCE),
        received.stream().map(InProcessDelivery::qos).toList());
  }

  @Test
  void anUnacknowledgedDeliveryComesAgainMarkedRedeliveredAndAnAcknowledgedOneDoesNot() {
    sut = TestBrokers.started();
    LocalSubscription first = attach(10);
    publish("orders/1", "done", QoS.AT_LEAST_ONCE);
    publish("orders/2", "interrupted", QoS.AT_LEAST_ONCE);
    assertEquals(List.of("done", "interrupted"), payloads());
    received.get(0).acknowledge();
    TestBrokers.drainLanes(sut);
    received.clear();

    // Exercise: the consumer stops before acknowledging the second
    first.close();
    attach(10);

    // Verify
    assertEquals(List.of("interrupted"), payloads());
    assertTrue(received.get(0).redelivered());
  }

  @Test
  void atMostReceiveMaximumDeliveriesAwaitAcknowledgement() {
    sut = TestBrokers.started();
    attach(2);

    // Exercise
    for (int i = 1; i <= 5; i++) {
      publish("orders/" + i, "m" + i, QoS.AT_LEAST_ONCE);
    }

    // Verify: the rest waits in the session's queue until the window has room
    assertEquals(List.of("m1", "m2"), payloads());
    acknowledgeAll();
    assertEquals(List.of("m3", "m4"), payloads());
    acknowledgeAll();
    assertEquals(List.of("m5"), payloads());
  }

  @Test
  void aConsumerThatDoesNotKeepUpHoldsThePublishersAcknowledgementBackAndLosesNothing() {
    sut = TestBrokers.started(b -> b.config(TestBrokers.config("mqtt.queue.max-messages", "4")));
    attach(1);
    TestClient publisher = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    // Exercise: one in flight, four queued fill the queue; the fifth congests the session
    for (int i = 1; i <= 6; i++) {
      publisher.publish("orders/" + i, "m" + i, QoS.AT_LEAST_ONCE, false);
    }

    // Verify: the first PUBACKs come, those of the publishes past the bound are held back
    List<PubAck> early = publisher.drainAll(PubAck.class);
    assertTrue(early.size() < 6, "some PUBACKs held back, got " + early.size());
    assertTrue(sut.flowStats().publishersThrottled() > 0, "the publisher counts as throttled");
    int acknowledged = 0;
    List<String> delivered = new java.util.ArrayList<>();
    while (delivered.size() < 6) {
      List<String> now = payloads();
      delivered.addAll(now);
      acknowledgeAll();
      assertFalse(now.isEmpty(), "the consumer gets the next message after acknowledging");
    }
    acknowledged += early.size() + publisher.drainAll(PubAck.class).size();
    assertEquals(List.of("m1", "m2", "m3", "m4", "m5", "m6"), delivered);
    assertEquals(6, acknowledged, "every publish acknowledged once the consumer caught up");
    assertEquals(0, sut.flowStats().dropped().values().stream().mapToLong(Long::longValue).sum());
  }

  @ParameterizedTest
  @EnumSource(value = PersistenceMode.class, names = {"QUEUED", "PERSISTENT"})
  void queuedAndUnacknowledgedMessagesSurviveARestart(PersistenceMode mode) {
    sut = TestBrokers.started(b -> b.persistence(MvStorePersistence.open(dir, mode)));
    LocalSubscription consumer = attach(10);
    publish("orders/1", "unacknowledged", QoS.AT_LEAST_ONCE);
    assertEquals(List.of("unacknowledged"), payloads());
    received.clear();
    // The server stops with the application: the consumer detaches first
    consumer.close();
    publish("orders/2", "queued", QoS.EXACTLY_ONCE);
    TestBrokers.drainLanes(sut);

    // Exercise
    sut.stop();
    sut = TestBrokers.started(b -> b.persistence(MvStorePersistence.open(dir, mode)));
    publish("orders/3", "after restart", QoS.AT_LEAST_ONCE);
    TestBrokers.drainLanes(sut);
    attach(10);

    // Verify: the subscription came back from the store too; a QoS 2 PUBLISH waits for the
    // store's commit of its in-flight state, as for a network client
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 3);
    assertEquals(List.of("unacknowledged", "queued", "after restart"), payloads());
    assertTrue(received.get(0).redelivered());
  }

  @Test
  void aSessionHasOneConsumerAtATimeAndEndingItForgetsItsMessages() {
    sut = TestBrokers.started();
    LocalSubscription first = attach(10);
    assertThrows(IllegalStateException.class, () -> attach(10), "a second consumer");
    first.close();
    publish("orders/1", "forgotten", QoS.AT_LEAST_ONCE);
    TestBrokers.drainLanes(sut);

    // Exercise
    assertTrue(sut.endSession(NAME));
    publish("orders/2", "unrouted", QoS.AT_LEAST_ONCE);
    TestBrokers.drainLanes(sut);
    attach(10);

    // Verify
    assertEquals(List.of(), payloads());
    assertFalse(sut.endSession("never attached"));
  }

  @Test
  void theSessionKeyIsNoNetworkClientIdAndTheSessionStaysUnconnectedAfterDetach() {
    sut = TestBrokers.started();

    // Exercise
    attach(10).close();
    TestBrokers.drainLanes(sut);

    // Verify: U+0000 is in no client id the codec accepts [MQTT-1.5.4-2]
    assertEquals(InProcessSubscribers.KEY_MARK, InProcessSessions.keyOf(NAME).charAt(0));
    assertEquals(0, sut.stats().clientsConnected());
    assertEquals(1, sut.stats().clientsTotal(), "the session is kept");
  }

  /**
   * The admin calls are about network clients: an application's session is not listed, and its
   * key cannot be used to read, disconnect or delete it behind the application's back.
   */
  @Test
  void theAdminCallsNeitherListNorTouchAnApplicationsSession() throws Exception {
    sut = TestBrokers.started();
    attach(10);
    String key = InProcessSessions.keyOf(NAME);

    assertTrue(sut.clients().stream().noneMatch(c -> c.clientId().equals(key)),
        "listed: " + sut.clients());
    assertTrue(sut.client(key).get().isEmpty());
    assertFalse(sut.disconnect(key));
    assertFalse(sut.deleteSession(key).get());

    publish("orders/after", "still delivered", QoS.AT_LEAST_ONCE);
    assertEquals(List.of("still delivered"), payloads());
  }
}
