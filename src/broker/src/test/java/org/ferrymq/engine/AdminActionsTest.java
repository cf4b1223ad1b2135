package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.persistence.memory.MemoryPersistence;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.packet.Subscription;
import org.ferrymq.topic.SubscriptionEntry;
import org.ferrymq.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the admin API asks of the engine: a session's detail and deletion, retained messages. */
class AdminActionsTest {
  private MqttBroker sut;

  @BeforeEach
  void start() {
    sut = TestBrokers.started(b -> b.persistence(new MemoryPersistence()));
  }

  @AfterEach
  void stop() {
    sut.stop();
  }

  private static Properties expiry(long seconds) {
    return Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, seconds).build();
  }

  private Optional<ClientDetail> detail(String clientId) throws Exception {
    return sut.client(clientId).get(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a session's detail lists its subscriptions with their options, read on its lane")
  void detailShowsSubscriptionsAndSession() throws Exception {
    TestClient client = TestClient.connect(sut, ProtocolVersion.MQTT_5, "d1", true, null,
        expiry(300));
    client.subscribe(Properties.EMPTY, new Subscription("a/+", QoS.AT_LEAST_ONCE, true, true,
        RetainHandling.DO_NOT_SEND), new Subscription("$share/g/b/#", QoS.EXACTLY_ONCE));

    ClientDetail d = detail("d1").orElseThrow();

    assertTrue(d.summary().connected());
    assertEquals(TransportKind.LOCAL, d.summary().transport());
    assertEquals(300, d.sessionExpirySeconds());
    assertEquals("127.0.0.1:50000", d.remoteAddress());
    List<SubscriptionEntry> subs = d.subscriptions();
    assertEquals(2, subs.size());
    assertEquals("a/+", subs.get(0).filter());
    assertTrue(subs.get(0).noLocal());
    assertEquals(RetainHandling.DO_NOT_SEND, subs.get(0).retainHandling());
    assertEquals("g", subs.get(1).shareName());
    assertEquals(QoS.EXACTLY_ONCE, subs.get(1).maxQos());
    assertEquals(Optional.empty(), detail("nobody"));
  }

  @Test
  @DisplayName("deleting a connected client's session disconnects it with 0x98 and forgets it")
  void deletingASessionDisconnectsAndForgets() throws Exception {
    TestClient client = TestClient.connect(sut, ProtocolVersion.MQTT_5, "gone", true, null,
        expiry(3600));
    client.subscribe("x/#", QoS.AT_LEAST_ONCE);
    assertTrue(sut.persistence().sessions().loadSessions().stream()
        .anyMatch(s -> s.clientId().equals("gone")), "stored before");

    assertTrue(sut.deleteSession("gone").get(5, TimeUnit.SECONDS));

    client.expectDisconnect(ReasonCode.ADMINISTRATIVE_ACTION, "[MQTT-4.13.1-1]");
    TestBrokers.drainLanes(sut);
    assertEquals(Optional.empty(), detail("gone"));
    assertTrue(sut.clients().stream().noneMatch(c -> c.clientId().equals("gone")));
    assertTrue(sut.persistence().sessions().loadSessions().stream()
        .noneMatch(s -> s.clientId().equals("gone")), "the stored record is gone");
    TestClient again = TestClient.connect(sut, ProtocolVersion.MQTT_5, "gone", false, null,
        expiry(3600));
    assertFalse(again.isClosed());
    assertEquals(0, detail("gone").orElseThrow().subscriptions().size(),
        "a new session: no subscriptions");
    assertFalse(sut.deleteSession("nobody").get(5, TimeUnit.SECONDS));
  }

  @Test
  @DisplayName("an offline persistent session is deleted with its queued messages")
  void deletingAnOfflineSessionDropsItsQueue() throws Exception {
    TestClient client = TestClient.connect(sut, ProtocolVersion.MQTT_5, "off", true, null,
        expiry(3600));
    client.subscribe("q", QoS.AT_LEAST_ONCE);
    client.disconnectAbruptly();
    TestBrokers.drainLanes(sut);
    sut.publish(Message.of("q", "m".getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, false));
    TestBrokers.drainLanes(sut);
    assertEquals(1, detail("off").orElseThrow().queued());

    assertTrue(sut.deleteSession("off").get(5, TimeUnit.SECONDS));

    assertEquals(Optional.empty(), detail("off"));
    assertEquals(0, sut.stats().messagesQueued(), "nothing queued for anyone");
  }

  @Test
  @DisplayName("retained messages are listed by filter up to a limit, and deleted by topic")
  void retainedAreListedAndDeleted() {
    for (String topic : List.of("r/c", "r/a", "r/b", "other")) {
      sut.publish(Message.of(topic, topic.getBytes(StandardCharsets.UTF_8), QoS.AT_MOST_ONCE,
          true));
    }
    TestBrokers.drainLanes(sut);

    RetainedPage page = sut.retained("r/#", 2);

    assertEquals(List.of("r/a", "r/b"), page.messages().stream().map(Message::topic).toList());
    assertTrue(page.more());
    assertFalse(sut.retained("r/#", 10).more());
    assertTrue(sut.deleteRetained("r/a"));
    assertFalse(sut.deleteRetained("r/a"), "already gone");
    assertEquals(List.of("r/b", "r/c"), sut.retained("r/#", 10).messages().stream()
        .map(Message::topic).toList());
    assertEquals(3, sut.stats().retainedMessages());
  }
}
