package org.ferrymq.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ferrymq.cluster.ClusterConfig;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.persistence.memory.TransientPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With clustering off (the default) the adapter's broker is the single node it always was:
 * built, started and used through {@link BrokerCluster}, it loads no Hazelcast class. Checked in
 * a JVM of its own, since other tests in this one start cluster members.
 */
class BrokerClusterOffTest {

  /** Runs a single-node broker the adapter's way and routes one message through it. */
  public static void main(String[] args) {
    BrokerCluster cluster = new BrokerCluster(ClusterConfig.disabled());
    MqttBroker broker = cluster.configure(MqttBroker.builder().config(TestBrokers.config()),
        new TransientPersistence(), false).build();
    cluster.attach(broker);
    if (cluster.view() != null) {
      throw new AssertionError("a cluster view with clustering off");
    }
    broker.start();
    TestClient subscriber = TestClient.connect(broker, ProtocolVersion.MQTT_5, "sub", true);
    subscriber.subscribe("t", QoS.AT_LEAST_ONCE);
    TestClient publisher = TestClient.connect(broker, ProtocolVersion.MQTT_5, "pub", true);
    if (publisher.publishAcked("t", "x").reasonCode() != ReasonCode.SUCCESS) {
      throw new AssertionError("not acknowledged");
    }
    subscriber.expectPublish("t", "x");
    broker.stop();
    cluster.close();
    System.out.println("single node: " + cluster.describe());
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aBrokerWithClusteringOffLoadsNoHazelcastClass() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process run = new ProcessBuilder(java.toString(), "-verbose:class", "-cp",
        System.getProperty("java.class.path"), BrokerClusterOffTest.class.getName())
        .redirectErrorStream(true).start();
    List<String> lines;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(run.getInputStream(),
        StandardCharsets.UTF_8))) {
      lines = out.lines().toList();
    }

    assertEquals(0, run.waitFor(), () -> String.join("\n", lines.subList(
        Math.max(0, lines.size() - 40), lines.size())));
    assertTrue(lines.contains("single node: single node"), "the broker ran and routed");
    assertTrue(lines.stream().anyMatch(l -> l.contains("org.ferrymq.ra.BrokerCluster ")),
        "the class loading log was read");
    List<String> hazelcast = lines.stream().filter(l -> l.contains("com.hazelcast.")).toList();
    assertEquals(List.of(), hazelcast, "Hazelcast classes loaded with clustering off");
  }
}
