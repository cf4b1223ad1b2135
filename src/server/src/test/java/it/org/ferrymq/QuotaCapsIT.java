package it.org.ferrymq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.SubAck;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;
import org.junit.jupiter.api.Test;

/**
 * The caps on durable state against the running Liberty server, over the resource adapter's TCP
 * listener, with raw MQTT 5 and 3.1.1 clients that show each reason code. The server runs with
 * small caps (pom.xml: 200 sessions, 100 persistent sessions, 20 subscriptions per client, 200
 * retained messages, 1 MiB of retained messages), which no other integration test comes near;
 * each test fills a cap from what is in use when it starts (read from /metrics) and gives
 * everything back at the end, so the tests that share the server are not affected.
 */
class QuotaCapsIT extends ServerIT {

  private static final int MAX_SESSIONS = 200;
  private static final int MAX_PERSISTENT_SESSIONS = 100;
  private static final int MAX_SUBSCRIPTIONS = 20;
  private static final int MAX_RETAINED = 200;
  private static final int MAX_RETAINED_BYTES = 1_048_576;

  @Test
  void sessionCapsRefuseNewClientsAndNeverTheirOwnSession() throws Exception {
    long refusedBefore = refusals("sessions") + refusals("persistent_sessions");
    List<String> persistent = new ArrayList<>();
    List<MqttProbe> online = new ArrayList<>();
    try {
      // Exercise: fill the persistent sessions, each left offline
      for (long i = gauge("ferrymq_sessions_persistent"); i < MAX_PERSISTENT_SESSIONS; i++) {
        String id = "caps-p-" + i;
        try (MqttProbe p = probe(ProtocolVersion.MQTT_5)) {
          assertEquals(ReasonCode.SUCCESS, connect(p, ProtocolVersion.MQTT_5, id, false, 300).reasonCode(), id);
          p.send(new Disconnect(ReasonCode.SUCCESS, Properties.EMPTY));
        }
        persistent.add(id);
      }

      // Verify: a new persistent session is refused in both versions, the own one resumes
      assertRefused(ProtocolVersion.MQTT_5, "caps-p-new", false, 300);
      assertRefused(ProtocolVersion.MQTT_3_1_1, "caps-p-new-v3", false, 0);
      try (MqttProbe own = probe(ProtocolVersion.MQTT_5)) {
        ConnAck ack = connect(own, ProtocolVersion.MQTT_5, persistent.get(0), false, 300);
        assertEquals(ReasonCode.SUCCESS, ack.reasonCode(), "resuming is never refused");
        assertTrue(ack.sessionPresent(), "[MQTT-3.2.2-2]");
        own.send(new Disconnect(ReasonCode.SUCCESS, Properties.EMPTY));
      }

      // Exercise: fill the remaining sessions with connected clean ones
      for (long i = gauge("ferrymq_sessions_kept"); i < MAX_SESSIONS; i++) {
        MqttProbe p = probe(ProtocolVersion.MQTT_5);
        online.add(p);
        assertEquals(ReasonCode.SUCCESS, connect(p, ProtocolVersion.MQTT_5, "caps-s-" + i, true, 0).reasonCode());
      }

      // Verify
      assertRefused(ProtocolVersion.MQTT_5, "caps-s-new", true, 0);
      assertRefused(ProtocolVersion.MQTT_3_1_1, "caps-s-new-v3", true, 0);
      // counted in ferrymq_quota_refusals_total, a counter that follows within a second
      awaitCounter(() -> refusals("sessions") + refusals("persistent_sessions")
          == refusedBefore + 4);
    } finally {
      for (MqttProbe p : online) {
        p.close();
      }
      for (String id : persistent) {
        // A clean start over its own session is never refused, and ends it at disconnect
        try (MqttProbe p = probe(ProtocolVersion.MQTT_5)) {
          connect(p, ProtocolVersion.MQTT_5, id, true, 0);
          p.send(new Disconnect(ReasonCode.SUCCESS, Properties.EMPTY));
        }
      }
    }
  }

  @Test
  void subscriptionsPastTheCapAreRefusedAndTheOthersKept() throws Exception {
    try (MqttProbe v5 = probe(ProtocolVersion.MQTT_5);
        MqttProbe v3 = probe(ProtocolVersion.MQTT_3_1_1)) {
      connect(v5, ProtocolVersion.MQTT_5, "caps-subs-v5", true, 0);
      connect(v3, ProtocolVersion.MQTT_3_1_1, "caps-subs-v3", true, 0);
      List<Subscription> filters = new ArrayList<>();
      for (int i = 0; i < MAX_SUBSCRIPTIONS; i++) {
        filters.add(new Subscription("caps/subs/" + i, QoS.AT_LEAST_ONCE));
      }
      v5.send(new Subscribe(1, filters, Properties.EMPTY));
      v3.send(new Subscribe(1, filters, Properties.EMPTY));
      assertInstanceOf(SubAck.class, v5.receive());
      assertInstanceOf(SubAck.class, v3.receive());

      // Exercise: one filter over the cap, one already held
      List<Subscription> more = List.of(new Subscription("caps/subs/extra", QoS.AT_LEAST_ONCE),
          new Subscription("caps/subs/0", QoS.AT_MOST_ONCE));
      v5.send(new Subscribe(2, more, Properties.EMPTY));
      v3.send(new Subscribe(2, more, Properties.EMPTY));

      // Verify
      assertEquals(List.of(ReasonCode.QUOTA_EXCEEDED, ReasonCode.SUCCESS),
          assertInstanceOf(SubAck.class, v5.receive()).reasonCodes(), "MQTT 5: 0x97");
      assertEquals(List.of(ReasonCode.UNSPECIFIED_ERROR, ReasonCode.SUCCESS),
          assertInstanceOf(SubAck.class, v3.receive()).reasonCodes(),
          "[MQTT-3.9.3-2] 3.1.1: 0x80 Failure");
      awaitCounter(() -> refusals("subscriptions") >= 2);
    }
  }

  @Test
  void retainedMessagesPastTheCapsAreDeliveredButNotRetained() throws Exception {
    List<String> topics = new ArrayList<>();
    try (MqttProbe sub = probe(ProtocolVersion.MQTT_5);
        MqttProbe pub = probe(ProtocolVersion.MQTT_5);
        MqttProbe pubV3 = probe(ProtocolVersion.MQTT_3_1_1)) {
      connect(sub, ProtocolVersion.MQTT_5, "caps-ret-sub", true, 0);
      connect(pub, ProtocolVersion.MQTT_5, "caps-ret-pub", true, 0);
      connect(pubV3, ProtocolVersion.MQTT_3_1_1, "caps-ret-pub-v3", true, 0);
      sub.send(new Subscribe(1, List.of(new Subscription("caps/ret/#", QoS.AT_MOST_ONCE)),
          Properties.EMPTY));
      assertInstanceOf(SubAck.class, sub.receive());
      int id = 1;
      try {
        // Exercise: fill the count
        for (long i = gauge("ferrymq_retained_messages"); i < MAX_RETAINED; i++) {
          String topic = "caps/ret/" + i;
          topics.add(topic);
          assertEquals(ReasonCode.SUCCESS, publishRetained(pub, topic, "x", id++));
          assertInstanceOf(Publish.class, sub.receive());
        }

        // Verify: MQTT 5 is told 0x97, 3.1.1 gets its PUBACK; both are delivered
        assertEquals(ReasonCode.QUOTA_EXCEEDED, publishRetained(pub, "caps/ret/over", "o", id++));
        assertEquals("caps/ret/over", assertInstanceOf(Publish.class, sub.receive()).topic());
        assertEquals(ReasonCode.SUCCESS, publishRetained(pubV3, "caps/ret/over3", "o", id++));
        assertEquals("caps/ret/over3", assertInstanceOf(Publish.class, sub.receive()).topic());
        assertEquals(ReasonCode.SUCCESS, publishRetained(pub, topics.get(0), "replaced", id++),
            "replacing is never refused");
        assertInstanceOf(Publish.class, sub.receive());
        awaitCounter(() -> refusals("retained_count") >= 2);
      } finally {
        for (String topic : topics) {
          publishRetained(pub, topic, "", id++);
          sub.receive();
        }
      }

      // Exercise: bytes, with room for the count again
      int room = (int) (MAX_RETAINED_BYTES - gauge("ferrymq_retained_size_bytes"));
      byte[] big = new byte[room * 2 / 3];
      String topic = "caps/ret/big";
      assertEquals(ReasonCode.SUCCESS, publishRetained(pub, topic, big, id++));
      sub.receive();
      try {
        // Verify
        assertEquals(ReasonCode.QUOTA_EXCEEDED, publishRetained(pub, topic + "2", big, id++));
        assertEquals(topic + "2", assertInstanceOf(Publish.class, sub.receive()).topic(),
            "delivered all the same");
        awaitCounter(() -> refusals("retained_bytes") >= 1);
      } finally {
        publishRetained(pub, topic, "", id++);
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private static MqttProbe probe(ProtocolVersion version) throws IOException {
    return new MqttProbe(new Socket("localhost", MQTT_PORT), version);
  }

  private static ConnAck connect(MqttProbe p, ProtocolVersion version, String id,
      boolean cleanStart, long expiry) throws IOException {
    Properties props = version.isV5() && expiry > 0
        ? Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, expiry).build()
        : Properties.EMPTY;
    p.send(new Connect(version, id, cleanStart, 60, null, null, null, props));
    return assertInstanceOf(ConnAck.class, p.receive(), "CONNACK for " + id);
  }

  /** CONNACK 0x97 for MQTT 5, return code 3 for 3.1.1, then the connection closed. */
  private static void assertRefused(ProtocolVersion version, String id, boolean cleanStart,
      long expiry) throws IOException {
    try (MqttProbe p = probe(version)) {
      ConnAck ack = connect(p, version, id, cleanStart, expiry);
      assertEquals(version.isV5() ? ReasonCode.QUOTA_EXCEEDED : ReasonCode.SERVER_UNAVAILABLE,
          ack.reasonCode(), id);
      assertEquals(null, p.receive(), "[MQTT-3.2.2-7] / [MQTT-3.2.2-5] closed after refusing");
    }
  }

  private static ReasonCode publishRetained(MqttProbe p, String topic, String payload, int id)
      throws IOException {
    return publishRetained(p, topic, payload.getBytes(StandardCharsets.UTF_8), id);
  }

  /** Publishes QoS 1 with RETAIN set and returns the PUBACK's reason code. */
  private static ReasonCode publishRetained(MqttProbe p, String topic, byte[] payload, int id)
      throws IOException {
    p.send(new Publish(topic, payload, QoS.AT_LEAST_ONCE, true, false, id, Properties.EMPTY));
    Packet ack = p.receive();
    return assertInstanceOf(PubAck.class, ack, "PUBACK for " + topic).reasonCode();
  }

  private static void awaitCounter(java.util.concurrent.Callable<Boolean> reached) {
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(reached);
  }

  private static long refusals(String cap) throws Exception {
    return gauge("ferrymq_quota_refusals_total{", "cap=\"" + cap + "\"");
  }
}
