package org.ferrymq.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.ferrymq.codec.MqttEncoder;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where deliveries run (see {@link Lane} and {@link Router}): a message whose receivers share
 * one idle lane is delivered on the thread that brought it in, without a hand-off; receivers on
 * several lanes are handed to their lanes so that they work in parallel; and the connections a
 * batch of in-place deliveries wrote to are flushed once per batch, not once per message.
 * The test thread plays the transport thread that calls {@code onBytes}.
 */
class LaneHandOffTest {
  private static final ProtocolVersion V5 = ProtocolVersion.MQTT_5;
  private final MqttBroker broker = TestBrokers.started();

  @AfterEach
  void stop() {
    broker.stop();
  }

  @Test
  void aMessageForOneIdleLaneIsDeliveredOnTheTransportThread() {
    TestClient sub = TestClient.connect(broker, V5, idOnLane("sub", 1), true);
    sub.subscribe("t/one", QoS.AT_MOST_ONCE);
    TestClient pub = TestClient.connect(broker, V5, idOnLane("pub", 0), true);

    // Running in place is an optimisation for idle lanes: a timer sweep may hold a lane at the
    // moment of one publish, so a few tries are allowed, but one must stay on this thread.
    boolean inPlace = false;
    for (int attempt = 0; attempt < 5 && !inPlace; attempt++) {
      awaitIdleLanes();
      pub.publish("t/one", "m" + attempt, QoS.AT_MOST_ONCE, false);
      sub.expectPublish("t/one", "m" + attempt);
      inPlace = sub.transport.lastSender() == Thread.currentThread();
    }
    assertTrue(inPlace, "the idle subscriber lane ran on the publisher's transport thread");
  }

  private void awaitIdleLanes() {
    TestBrokers.drainLanes(broker);
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      boolean[] idle = {true};
      broker.core().forEachLane(lane -> idle[0] &= lane.pending() == 0);
      return idle[0];
    });
  }

  @Test
  void receiversOnSeveralLanesAreHandedToTheirLanes() {
    TestClient near = TestClient.connect(broker, V5, idOnLane("near", 0), true);
    near.subscribe("t/many", QoS.AT_MOST_ONCE);
    TestClient far = TestClient.connect(broker, V5, idOnLane("far", 1), true);
    far.subscribe("t/many", QoS.AT_MOST_ONCE);
    TestClient pub = TestClient.connect(broker, V5, idOnLane("pub", 0), true);

    for (int attempt = 0; attempt < 5; attempt++) {
      awaitIdleLanes();
      pub.publish("t/many", "m" + attempt, QoS.AT_MOST_ONCE, false);
      near.expectPublish("t/many", "m" + attempt);
      far.expectPublish("t/many", "m" + attempt);
      if (near.transport.lastSender() == Thread.currentThread()) {
        // The publisher's lane ran here and delivered to its own subscriber directly
        assertNotSame(Thread.currentThread(), far.transport.lastSender(),
            "another lane's receiver is not served serially on the publisher's thread");
        return;
      }
    }
    throw new AssertionError("the idle publisher lane never ran on its transport thread");
  }

  @Test
  void aBatchOfInPlaceDeliveriesIsFlushedOncePerReceiver() {
    TestClient sub = TestClient.connect(broker, V5, idOnLane("sub", 1), true);
    sub.subscribe("t/batch", QoS.AT_MOST_ONCE);
    TestClient pub = TestClient.connect(broker, V5, idOnLane("pub", 0), true);
    awaitIdleLanes();
    int flushesBefore = sub.transport.flushCount();

    int messages = 50;
    ByteArrayOutputStream burst = new ByteArrayOutputStream();
    for (int i = 0; i < messages; i++) {
      ByteBuffer packet = MqttEncoder.encode(new Publish("t/batch",
          ("m" + i).getBytes(StandardCharsets.UTF_8), QoS.AT_MOST_ONCE, false, false, 0,
          Properties.EMPTY), V5);
      burst.write(packet.array(), packet.arrayOffset() + packet.position(), packet.remaining());
    }
    pub.sendBytes(ByteBuffer.wrap(burst.toByteArray()));

    for (int i = 0; i < messages; i++) {
      sub.expectPublish("t/batch", "m" + i);
    }
    int flushes = sub.transport.flushCount() - flushesBefore;
    // One read of 50 packets: one flush, or two if the timer's sweep took the lane meanwhile
    assertTrue(flushes >= 1 && flushes <= 2, "flushes for 50 messages: " + flushes);
  }

  /** A client id that {@link BrokerCore#laneFor} puts on the given lane of the two. */
  private String idOnLane(String prefix, int lane) {
    for (int i = 0; ; i++) {
      String id = prefix + "-" + i;
      if (broker.core().laneFor(id).index() == lane) {
        assertEquals(2, broker.core().laneCount());
        return id;
      }
    }
  }
}
