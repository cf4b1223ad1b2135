package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.PubComp;
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.mvstore.MvStorePersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts of the engine on the embedded store: the second broker is new and reads everything
 * back from the file the first one closed.
 */
class DurableRestartTest {
  private static final Properties ONE_HOUR = Properties.builder()
      .put(Property.SESSION_EXPIRY_INTERVAL, 3_600).build();

  @TempDir
  Path dir;

  private MqttBroker broker;

  @AfterEach
  void stop() {
    if (broker != null) {
      broker.stop();
    }
  }

  private MqttBroker start(PersistenceMode mode) {
    MvStorePersistence store = MvStorePersistence.open(dir, mode);
    broker = TestBrokers.started(b -> b.persistence(store));
    return broker;
  }

  private void restart(PersistenceMode mode) {
    broker.stop();
    broker = null;
    start(mode);
  }

  private TestClient resume(String clientId) {
    TestClient c = new TestClient(broker, ProtocolVersion.MQTT_5);
    ConnAck ack = c.connectWith(new Connect(ProtocolVersion.MQTT_5, clientId, false, 60, null,
        null, null, ONE_HOUR));
    assertTrue(ack.sessionPresent(), "session present after restart");
    return c;
  }

  @ParameterizedTest
  @EnumSource(value = PersistenceMode.class, names = {"QUEUED", "PERSISTENT"})
  void offlineQueueSubscriptionsAndRetainedSurviveRestartInOrder(PersistenceMode mode) {
    start(mode);
    TestClient sub = TestClient.connect(broker, ProtocolVersion.MQTT_5, "sub", true, null,
        ONE_HOUR);
    sub.subscribe("d/#", QoS.EXACTLY_ONCE);
    sub.disconnectAbruptly();
    TestClient pub = TestClient.connect(broker, ProtocolVersion.MQTT_3_1_1, "pub", true);
    for (int i = 1; i <= 5; i++) {
      pub.publishAcked("d/" + i, "q1-" + i);
      pub.publish("d/" + i, "q2-" + i, QoS.EXACTLY_ONCE, false);
      PubRec rec = pub.expect(PubRec.class);
      pub.send(new PubRel(rec.packetId()));
      pub.expect(PubComp.class);
    }
    pub.publish("d/r", "retained", QoS.AT_LEAST_ONCE, true);
    pub.expect(PubAck.class);
    pub.publish("d/q0", "qos0 is not kept for offline sessions", QoS.AT_MOST_ONCE, false);

    // Exercise
    restart(mode);
    TestClient back = resume("sub");

    // Verify: same order, each QoS 2 message once
    List<String> expected = new ArrayList<>();
    List<String> got = new ArrayList<>();
    List<Publish> received = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      expected.add("d/" + i + " q1-" + i + " AT_LEAST_ONCE");
      expected.add("d/" + i + " q2-" + i + " EXACTLY_ONCE");
    }
    expected.add("d/r retained AT_LEAST_ONCE");
    for (int i = 0; i < expected.size(); i++) {
      Publish p = back.expect(Publish.class);
      received.add(p);
      got.add(p.topic() + " " + TestClient.payloadOf(p) + " " + p.qos());
    }
    assertEquals(expected, got);
    for (Publish p : received) {
      if (p.qos() == QoS.AT_LEAST_ONCE) {
        back.puback(p);
      } else {
        back.send(new PubRec(p.packetId()));
        back.send(new PubComp(back.expect(PubRel.class).packetId()));
      }
    }
    back.expectNothing(broker);

    TestClient fresh = TestClient.connect(broker, ProtocolVersion.MQTT_5, "fresh", true);
    fresh.subscribe("d/r", QoS.AT_LEAST_ONCE);
    Publish retained = fresh.expectPublish("d/r", "retained");
    assertTrue(retained.retain());

    // the subscription itself survived: a new message reaches the resumed session
    pub = TestClient.connect(broker, ProtocolVersion.MQTT_3_1_1, "pub", true);
    pub.publishAcked("d/after", "after restart");
    back.expectPublish("d/after", "after restart");
  }

  @Test
  void acknowledgedDeliveriesAreNotRedeliveredAfterRestart() {
    start(PersistenceMode.PERSISTENT);
    TestClient sub = TestClient.connect(broker, ProtocolVersion.MQTT_5, "sub", true, null,
        ONE_HOUR);
    sub.subscribe("d/#", QoS.AT_LEAST_ONCE);
    TestClient pub = TestClient.connect(broker, ProtocolVersion.MQTT_3_1_1, "pub", true);
    pub.publishAcked("d/1", "delivered and acknowledged");
    sub.puback(sub.expectPublish("d/1", "delivered and acknowledged"));
    TestBrokers.drainLanes(broker);
    sub.disconnectAbruptly();

    restart(PersistenceMode.PERSISTENT);
    TestClient back = resume("sub");

    back.expectNothing(broker);
  }

  @Test
  void inflightDeliveriesResumeAfterRestart() {
    start(PersistenceMode.PERSISTENT);
    TestClient sub = TestClient.connect(broker, ProtocolVersion.MQTT_5, "sub", true, null,
        ONE_HOUR);
    sub.subscribe("d/#", QoS.EXACTLY_ONCE);
    TestClient pub = TestClient.connect(broker, ProtocolVersion.MQTT_3_1_1, "pub", true);
    pub.publishAcked("d/1", "unacknowledged qos1");
    pub.publish("d/2", "qos2 received", QoS.EXACTLY_ONCE, false);
    pub.send(new PubRel(pub.expect(PubRec.class).packetId()));
    pub.expect(PubComp.class);
    Publish first = sub.expectPublish("d/1", "unacknowledged qos1");
    Publish second = sub.expectPublish("d/2", "qos2 received");
    sub.send(new PubRec(second.packetId()));
    sub.expect(PubRel.class);
    TestBrokers.drainLanes(broker);
    sub.disconnectAbruptly();

    // Exercise
    restart(PersistenceMode.PERSISTENT);
    TestClient back = resume("sub");

    // Verify [MQTT-4.4.0-1]: the PUBLISH again with DUP, and the PUBREL, in the original order
    Publish again = back.expectPublish("d/1", "unacknowledged qos1");
    assertTrue(again.dup());
    assertEquals(first.packetId(), again.packetId());
    PubRel rel = back.expect(PubRel.class);
    assertEquals(second.packetId(), rel.packetId());
    back.send(new PubComp(rel.packetId()));
    back.puback(again);
    back.expectNothing(broker);
  }

  @Test
  void inboundQos2StateSurvivesRestart() {
    start(PersistenceMode.PERSISTENT);
    TestClient pub = TestClient.connect(broker, ProtocolVersion.MQTT_5, "pub", true, null,
        ONE_HOUR);
    TestClient sub = TestClient.connect(broker, ProtocolVersion.MQTT_5, "sub", true, null,
        ONE_HOUR);
    sub.subscribe("d/#", QoS.EXACTLY_ONCE);
    pub.publish("d/x", "once", QoS.EXACTLY_ONCE, false);
    int id = pub.expect(PubRec.class).packetId();
    sub.send(new PubRec(sub.expectPublish("d/x", "once").packetId()));
    sub.expect(PubRel.class);
    TestBrokers.drainLanes(broker);
    pub.disconnectAbruptly();
    sub.disconnectAbruptly();

    restart(PersistenceMode.PERSISTENT);
    TestClient pubBack = resume("pub");
    TestClient subBack = resume("sub");
    subBack.send(new PubComp(subBack.expect(PubRel.class).packetId()));

    // Exercise: the publisher did not see PUBCOMP, so it resends the PUBLISH with DUP
    pubBack.send(new Publish("d/x", "once".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        QoS.EXACTLY_ONCE, false, true, id, Properties.EMPTY));

    // Verify: acknowledged again, not routed again
    assertEquals(id, pubBack.expect(PubRec.class).packetId());
    pubBack.send(new PubRel(id));
    pubBack.expect(PubComp.class);
    subBack.expectNothing(broker);
    assertFalse(subBack.isClosed());
  }
}
