package org.ferrymq.engine.spec.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code $SYS/broker/...} statistics (the Mosquitto layout; MQTT 5 4.7.2 reserves $ topics). */
class SysTopicsTest {
  private final MqttBroker sut = TestBrokers.started(b -> b.version("9.9.9")
      .config(TestBrokers.config("mqtt.sys-interval", "1")));

  @AfterEach
  void stop() {
    sut.stop();
  }

  @Test
  @DisplayName("$SYS/broker/... topics are published every mqtt.sys-interval seconds as retained"
      + " messages")
  void sysTopicsArePublished() {
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "monitor", true);

    // Exercise
    c.subscribe("$SYS/broker/#", QoS.AT_MOST_ONCE);

    // Verify: the first update arrives within about a second
    Map<String, String> values = new HashMap<>();
    while (!values.containsKey("$SYS/broker/clients/connected")) {
      Publish p = c.expect(Publish.class);
      values.put(p.topic(), TestClient.payloadOf(p));
    }
    assertEquals("FerryMQ 9.9.9", values.get("$SYS/broker/version"));
    assertEquals("1", values.get("$SYS/broker/clients/connected"));
    assertTrue(values.containsKey("$SYS/broker/uptime"));
    assertTrue(sut.stats().retainedMessages() >= values.size(), "kept as retained messages");
  }

  @Test
  @DisplayName("a SysExtension's figures follow the broker's own, and one that fails once does "
      + "not stop the next updates")
  void anExtensionAddsItsFiguresAndItsFailureDoesNotStopTheTimer() {
    AtomicInteger calls = new AtomicInteger();
    MqttBroker extended = TestBrokers.started(b -> b.sysExtension(own -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("cluster member not running");
      }
      return Map.of("cluster/clients/connected", own.clientsConnected() + 10);
    }).config(TestBrokers.config("mqtt.sys-interval", "1")));
    try {
      TestClient c = TestClient.connect(extended, ProtocolVersion.MQTT_5, "monitor", true);

      // Exercise
      c.subscribe("$SYS/broker/cluster/#", QoS.AT_MOST_ONCE);

      // Verify: published after the failed first call, from this node's figures
      Publish p = c.expect(Publish.class);
      assertEquals("$SYS/broker/cluster/clients/connected", p.topic());
      assertEquals("11", TestClient.payloadOf(p));
      assertTrue(calls.get() >= 2, "called again after it failed");
    } finally {
      extended.stop();
    }
  }
}
