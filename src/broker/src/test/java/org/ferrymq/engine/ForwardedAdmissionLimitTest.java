package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ferrymq.engine.TestBrokers.ManualClock;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A congested session may hold back a message a cluster peer forwarded only for the forward
 * timeout ({@link MqttBroker.Builder#forwardTimeout}, 5 s here): past it the client is
 * disconnected as a stuck one is, which admits the message to its session, so the peer hears
 * that the message was taken, never that it failed while it is still delivered. A local
 * publisher's message has no such limit: the single node's policy is unchanged.
 */
class ForwardedAdmissionLimitTest {
  private static final Properties PERSISTENT = Properties.builder()
      .put(Property.SESSION_EXPIRY_INTERVAL, 300).build();
  private final ManualClock clock = new ManualClock();
  // one in flight and two queued congest a session
  private final MqttBroker sut = TestBrokers.started(b -> b.clock(clock)
      .config(TestBrokers.config("mqtt.max-inflight", "1", "mqtt.queue.max-messages", "2"))
      .forwardTimeout(Duration.ofSeconds(5)));

  @AfterEach
  void stop() {
    sut.stop();
  }

  @Test
  void aSessionHoldingAForwardedMessagePastTheTimeoutIsDisconnectedAndTheMessageTaken()
      throws Exception {
    TestClient held = TestClient.connect(sut, ProtocolVersion.MQTT_5, "held", false, null,
        PERSISTENT);
    held.subscribe("f/t", QoS.AT_LEAST_ONCE);
    List<CompletableFuture<Integer>> taken = new ArrayList<>();

    // Exercise: four forwarded messages; the session takes none of them
    for (int i = 1; i <= 4; i++) {
      CompletableFuture<Integer> f = new CompletableFuture<>();
      sut.clusterPort().routeFromPeer(message("m" + i), GroupAssignment.NONE, f::complete);
      taken.add(f);
    }
    TestBrokers.drainLanes(sut);
    assertFalse(taken.get(2).isDone(), "held back by the congested session");
    clock.advance(Duration.ofSeconds(4));
    TestBrokers.sweep(sut);
    assertFalse(held.isClosed(), "not before the timeout");
    clock.advance(Duration.ofSeconds(2));
    TestBrokers.sweep(sut);

    // Verify: disconnected (after the one PUBLISH it had in flight), each message taken
    held.expectPublish("f/t", "m1");
    held.expectDisconnect(ReasonCode.QUOTA_EXCEEDED, "3.14.2.1 Disconnect Reason Code");
    for (CompletableFuture<Integer> f : taken) {
      assertEquals(1, f.get(5, TimeUnit.SECONDS), "taken by its receiver, not failed");
    }
    assertEquals(1, sut.flowStats().slowSubscribersDisconnected());
    // [MQTT-4.4.0-1] the session kept them: m1 again, then the queue, in order
    TestClient back = TestClient.connect(sut, ProtocolVersion.MQTT_5, "held", false, null,
        PERSISTENT);
    for (int i = 1; i <= 4; i++) {
      Publish p = back.expectPublish("f/t", "m" + i);
      back.puback(p);
    }
    back.expectNothing(sut);
  }

  @Test
  void aLocalPublishersMessageHasNoSuchLimit() {
    TestClient slow = TestClient.connect(sut, ProtocolVersion.MQTT_5, "slow", true);
    slow.subscribe("f/t", QoS.AT_LEAST_ONCE);
    TestClient publisher = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    // Exercise: four local messages congest the session as the forwarded ones did
    for (int i = 1; i <= 4; i++) {
      publisher.publish("f/t", "m" + i, QoS.AT_LEAST_ONCE, false);
    }
    assertEquals(2, publisher.drainAll(PubAck.class).size());
    clock.advance(Duration.ofSeconds(6));
    TestBrokers.sweep(sut);

    // Verify: still connected, the publisher still held back (mqtt.slow-subscriber-timeout,
    // 30 s, applies to it as before)
    assertFalse(slow.isClosed(), "no forward timeout for a local message");
    publisher.expectNothing(sut);
    assertEquals(0, sut.flowStats().slowSubscribersDisconnected());
  }

  private static Message message(String payload) {
    return Message.of("f/t", payload.getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE,
        false);
  }
}
