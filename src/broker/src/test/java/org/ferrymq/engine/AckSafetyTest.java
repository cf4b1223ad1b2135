package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of a cluster side without quorum ({@link AckSafety}), on one broker with a
 * stand-in for the cluster: a QoS 1/2 message that would reach a persistent session fails
 * before anyone has it; one that the side loses its quorum for while it is on its way fails
 * once stored. The cluster's own tests: {@code SplitBrainSessionsTest}.
 */
class AckSafetyTest {
  /** How many times the router asked; {@link #quorateFor} answers yes that often. */
  private final AtomicInteger asked = new AtomicInteger();
  private volatile int quorateFor = Integer.MAX_VALUE;
  private final MqttBroker sut = TestBrokers.started(b -> b.ackSafety(new AckSafety() {
    @Override
    public boolean keepsAll() {
      return asked.incrementAndGet() <= quorateFor;
    }

    @Override
    public boolean keepsForPeer(String node) {
      return true;
    }
  }));
  private TestClient kept;
  private TestClient clean;
  private TestClient publisher;

  @BeforeEach
  void connect() {
    kept = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "kept", false);
    kept.subscribe("kept/#", QoS.AT_LEAST_ONCE);
    clean = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "clean", true);
    clean.subscribe("#", QoS.AT_LEAST_ONCE);
    publisher = TestClient.connect(sut, ProtocolVersion.MQTT_5, "publisher", true);
  }

  @AfterEach
  void stop() {
    sut.stop();
  }

  @Test
  void withoutQuorumAQos1MessageForAPersistentSessionReachesNoOneAndFails() {
    quorateFor = 0;

    // Exercise
    publisher.publish("kept/1", "refused", QoS.AT_LEAST_ONCE, false);
    publisher.publish("clean/1", "only clean", QoS.AT_LEAST_ONCE, false);
    publisher.publish("kept/0", "at most once", QoS.AT_MOST_ONCE, false);

    // Verify: [MQTT-3.4.2-1] 0x80 for the first; the clean subscriber gets the others
    assertEquals(ReasonCode.UNSPECIFIED_ERROR, publisher.expect(PubAck.class).reasonCode());
    assertEquals(ReasonCode.SUCCESS, publisher.expect(PubAck.class).reasonCode());
    clean.expectPublish("clean/1", "only clean");
    clean.expectPublish("kept/0", "at most once");
    kept.expectPublish("kept/0", "at most once");
    clean.expectNothing(sut);
    kept.expectNothing(sut);
  }

  @Test
  void aSideThatLosesItsQuorumWhileTheMessageIsOnItsWayFailsItOnceStored() {
    quorateFor = 1;

    // Exercise: quorate when routed, not any more once the sessions stored it
    publisher.publish("kept/1", "on its way", QoS.AT_LEAST_ONCE, false);

    // Verify: delivered already, yet not acknowledged as a success
    assertEquals(ReasonCode.UNSPECIFIED_ERROR, publisher.expect(PubAck.class).reasonCode());
    kept.expectPublish("kept/1", "on its way");
    assertEquals(2, asked.get(), "asked when routed and once stored");
  }
}
