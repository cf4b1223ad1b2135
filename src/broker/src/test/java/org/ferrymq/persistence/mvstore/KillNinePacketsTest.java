package org.ferrymq.persistence.mvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import it.org.ferrymq.MqttProbe;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.PubComp;
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.SubAck;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;
import org.ferrymq.packet.Will;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a {@code persistent} broker with raw MQTT 5 clients stopped at chosen points of
 * their QoS 2 flows, in both directions, and a client connected with a delayed Will: after the
 * restart each flow resumes exactly where the client can tell it stood.
 */
class KillNinePacketsTest {
  private static final Properties SESSION = Properties.builder()
      .put(Property.SESSION_EXPIRY_INTERVAL, 3600).build();

  @TempDir
  Path dir;

  private CrashBrokers brokers;
  private final List<MqttProbe> probes = new ArrayList<>();

  @AfterEach
  void close() throws IOException {
    for (MqttProbe p : probes) {
      p.close();
    }
    if (brokers != null) {
      brokers.close();
    }
  }

  private MqttProbe connect(CrashBrokers.Child broker, String clientId, Will will,
      boolean sessionPresent) throws IOException {
    MqttProbe p = new MqttProbe(new Socket("127.0.0.1", broker.port()), ProtocolVersion.MQTT_5);
    probes.add(p);
    p.send(new Connect(ProtocolVersion.MQTT_5, clientId, false, 60, will, null, null, SESSION));
    ConnAck ack = assertInstanceOf(ConnAck.class, p.receive());
    assertFalse(ack.reasonCode().isError(), ack.toString());
    assertEquals(sessionPresent, ack.sessionPresent(), "[MQTT-3.2.2-3] session present");
    return p;
  }

  private static <T extends Packet> T expect(MqttProbe p, Class<T> type) throws IOException {
    Packet packet = p.receive();
    assertNotNull(packet, "connection closed while expecting " + type.getSimpleName());
    return assertInstanceOf(type, packet);
  }

  private static Publish publish(String topic, String payload, int id, boolean dup) {
    return new Publish(topic, payload.getBytes(StandardCharsets.UTF_8), QoS.EXACTLY_ONCE, false,
        dup, id, Properties.EMPTY);
  }

  private static String payload(Publish p) {
    return new String(p.payload(), StandardCharsets.UTF_8);
  }

  /** PUBLISH, PUBREC, PUBREL, PUBCOMP: the whole QoS 2 flow of a publisher. */
  private static void publishExactlyOnce(MqttProbe pub, Publish p) throws IOException {
    pub.send(p);
    assertEquals(p.packetId(), expect(pub, PubRec.class).packetId());
    pub.send(new PubRel(p.packetId()));
    assertEquals(p.packetId(), expect(pub, PubComp.class).packetId());
  }

  @Test
  @DisplayName("[MQTT-4.4.0-1] [MQTT-4.3.3-10] [MQTT-4.3.3-12] [MQTT-3.1.3-9] kill -9 mid-flow:"
      + " PUBREL resent for what the subscriber released, PUBLISH with DUP and the same id for"
      + " what it had not, a resent inbound PUBLISH not delivered twice, a reused id delivered,"
      + " and the Will of a client connected at the crash published after its delay")
  void flowsResumeWhereTheClientsStoodAfterKill9() throws Exception {
    brokers = new CrashBrokers(dir);
    CrashBrokers.Child first = brokers.start();
    MqttProbe sub = connect(first, "raw-sub", null, false);
    sub.send(new Subscribe(1, List.of(new Subscription("raw/#", QoS.EXACTLY_ONCE),
        new Subscription("will/#", QoS.AT_LEAST_ONCE)), Properties.EMPTY));
    expect(sub, SubAck.class);
    connect(first, "raw-willer", new Will("will/raw-willer", "crashed"
        .getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, false, Properties.builder()
        .put(Property.WILL_DELAY_INTERVAL, 1).build()), false);
    MqttProbe pub = connect(first, "raw-pub", null, false);
    publishExactlyOnce(pub, publish("raw/a", "a", 10, false));
    publishExactlyOnce(pub, publish("raw/b", "b", 11, false));
    pub.send(publish("raw/c", "c", 12, false));
    assertEquals(12, expect(pub, PubRec.class).packetId());
    Publish a = expect(sub, Publish.class);
    Publish b = expect(sub, Publish.class);
    Publish c = expect(sub, Publish.class);
    assertEquals(List.of("a", "b", "c"), List.of(payload(a), payload(b), payload(c)));
    sub.send(new PubRec(a.packetId()));
    assertEquals(a.packetId(), expect(sub, PubRel.class).packetId(), "[MQTT-4.3.3-4]");

    // Exercise: SIGKILL right after PUBREL, before anything else makes the store sync
    first.kill9();
    CrashBrokers.Child second = brokers.start();
    MqttProbe subBack = connect(second, "raw-sub", null, true);

    // Verify: the subscriber's flows resume in their original order with their original ids
    assertEquals(a.packetId(), expect(subBack, PubRel.class).packetId(),
        "[MQTT-4.4.0-1] PUBREL for the released message, not PUBLISH: it was sent only once the"
            + " broker had stored AWAITING_PUBCOMP");
    Publish b2 = expect(subBack, Publish.class);
    Publish c2 = expect(subBack, Publish.class);
    assertEquals(List.of("b", b.packetId(), true, "c", c.packetId(), true),
        List.of(payload(b2), b2.packetId(), b2.dup(), payload(c2), c2.packetId(), c2.dup()),
        "[MQTT-4.4.0-1] [MQTT-3.3.1-1] unacknowledged PUBLISH resent with DUP and the same id");
    subBack.send(new PubComp(a.packetId()));

    // the publisher resends c (as a client that missed PUBREC would), then reuses id 12
    MqttProbe pubBack = connect(second, "raw-pub", null, true);
    publishExactlyOnce(pubBack, publish("raw/c", "c", 12, true));
    publishExactlyOnce(pubBack, publish("raw/d", "d", 12, false));
    publishExactlyOnce(pubBack, publish("raw/e", "e", 13, true));
    publishExactlyOnce(pubBack, publish("raw/end", "end", 14, false));

    List<String> after = new ArrayList<>();
    acknowledge(subBack, b2);
    acknowledge(subBack, c2);
    while (!after.contains("end") || !after.contains("crashed")) {
      Packet p = subBack.receive();
      assertNotNull(p, "connection closed; received so far " + after);
      if (p instanceof Publish in) {
        after.add(payload(in));
        acknowledge(subBack, in);
      } else {
        assertInstanceOf(PubRel.class, p);
        subBack.send(new PubComp(((PubRel) p).packetId()));
      }
    }
    assertEquals(List.of("d", "e", "end"), after.stream().filter(s -> !s.equals("crashed"))
        .toList(), "[MQTT-4.3.3-10] c not delivered again; [MQTT-4.3.3-12] d with the reused"
            + " id delivered");
    assertTrue(after.stream().filter("crashed"::equals).count() == 1,
        "[MQTT-3.1.3-9] the Will of the client the crash disconnected, once: " + after);
  }

  private static void acknowledge(MqttProbe sub, Publish p) throws IOException {
    if (p.qos() == QoS.AT_LEAST_ONCE) {
      sub.send(new PubAck(p.packetId()));
    } else if (p.qos() == QoS.EXACTLY_ONCE) {
      sub.send(new PubRec(p.packetId()));
    }
  }
}
