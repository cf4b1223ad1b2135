package org.ferrymq.engine.spec.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.ferrymq.engine.ClientSummary;
import org.ferrymq.engine.LocalSubscription;
import org.ferrymq.message.Message;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link MqttBroker} API for in-process applications and administration: publish,
 * subscribe, stats, clients and disconnect.
 */
class InProcessApiTest {
  private final MqttBroker sut = TestBrokers.started();

  @AfterEach
  void stop() {
    sut.stop();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("publish() reaches network subscribers at the subscription's QoS")
  void localPublishReachesClients() {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "c", true);
    c.subscribe("app/#", QoS.AT_LEAST_ONCE);

    // Exercise
    sut.publish(Message.of("app/event", utf8("from the app"), QoS.EXACTLY_ONCE, false));

    // Verify
    Publish p = c.expectPublish("app/event", "from the app");
    assertEquals(QoS.AT_LEAST_ONCE, p.qos());
    assertEquals(1, sut.stats().messagesReceived());
  }

  @Test
  @DisplayName("subscribe() sees client traffic, including shared groups, until closed")
  void localSubscriptionSeesClientTraffic() {
    List<Message> got = new CopyOnWriteArrayList<>();
    LocalSubscription subscription = sut.subscribe("dev/+/temp", QoS.AT_LEAST_ONCE, got::add);
    TestClient device = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "device", true);

    // Exercise
    device.publishAcked("dev/7/temp", "21.5");

    // Verify
    await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
    assertEquals("dev/7/temp", got.get(0).topic());
    assertEquals("21.5", new String(got.get(0).payload(), StandardCharsets.UTF_8));
    assertEquals("device", got.get(0).originClientId());
    assertEquals("dev/+/temp", subscription.filter());
    subscription.close();
    TestBrokers.drainLanes(sut);
    device.publishAcked("dev/7/temp", "22");
    TestBrokers.drainLanes(sut);
    assertEquals(1, got.size(), "nothing after close()");
  }

  @Test
  @DisplayName("a local subscriber receives a local publish")
  void localToLocal() {
    List<Message> got = new CopyOnWriteArrayList<>();
    sut.subscribe("$share/workers/jobs", QoS.AT_MOST_ONCE, got::add);

    sut.publish(Message.of("jobs", utf8("j1"), QoS.AT_MOST_ONCE, false));

    await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
  }

  @Test
  @DisplayName("stats() counts connections, clients, subscriptions, messages and bytes")
  void stats() {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true);
    sub.subscribe("s", QoS.AT_MOST_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    // Exercise
    pub.publish("s", "one", QoS.AT_MOST_ONCE, false);
    pub.publish("s", "two", QoS.AT_MOST_ONCE, true);
    sub.expectPublish("s", "one");
    sub.expectPublish("s", "two");

    // Verify
    var s = sut.stats();
    assertEquals(2, s.connectionsOpen());
    assertEquals(2, s.connectionsTotal());
    assertEquals(2, s.clientsConnected());
    assertEquals(2, s.clientsTotal());
    assertEquals(1, s.subscriptions());
    assertEquals(1, s.retainedMessages());
    assertEquals(2, s.messagesReceived());
    assertEquals(2, s.messagesSent());
    assertTrue(s.bytesReceived() > 0 && s.bytesSent() > 0);
    assertEquals(0, s.messagesDropped());
  }

  @Test
  @DisplayName("clients() lists every session, connected or not, with version, transport and"
      + " subscription count; in-process subscribers are not listed")
  void clients() {
    sut.subscribe("x", QoS.AT_MOST_ONCE, m -> { });
    TestClient online = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "online", true);
    online.subscribe("a", QoS.AT_MOST_ONCE);
    TestClient offline = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "offline", false);
    offline.disconnectAbruptly();

    // Exercise
    List<ClientSummary> clients = sut.clients();

    // Verify
    assertEquals(2, clients.size());
    ClientSummary on = clients.stream().filter(c -> c.clientId().equals("online")).findFirst()
        .orElseThrow();
    assertTrue(on.connected());
    assertEquals(TransportKind.LOCAL, on.transport());
    assertEquals(ProtocolVersion.MQTT_3_1_1, on.version());
    assertEquals(1, on.subscriptions());
    ClientSummary off = clients.stream().filter(c -> c.clientId().equals("offline")).findFirst()
        .orElseThrow();
    assertFalse(off.connected());
    assertNull(off.transport());
  }

  @Test
  @DisplayName("[MQTT-4.13.2-1] disconnect(clientId) sends DISCONNECT 0x98 to an MQTT 5 client"
      + " and closes it; unknown or offline clients return false")
  void administrativeDisconnect() {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "victim", true);

    // Exercise
    boolean wasConnected = sut.disconnect("victim");

    // Verify
    assertTrue(wasConnected);
    c.expectDisconnect(ReasonCode.ADMINISTRATIVE_ACTION, "[MQTT-4.13.2-1]");
    assertFalse(sut.disconnect("nobody"));
  }

  @Test
  @DisplayName("stop() sends DISCONNECT 0x8B to MQTT 5 clients; publish() after stop is refused")
  void stopDisconnectsClients() {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "c", true);

    sut.stop();

    c.expectDisconnect(ReasonCode.SERVER_SHUTTING_DOWN, "4.13");
    assertFalse(sut.isRunning());
    assertThrows(IllegalStateException.class, () -> sut.publish(Message.of("t", utf8("x"),
        QoS.AT_MOST_ONCE, false)));
  }
}
