package org.ferrymq.engine.spec.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
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
}
