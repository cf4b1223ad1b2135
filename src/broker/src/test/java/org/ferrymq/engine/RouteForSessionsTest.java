package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.Subscription;
import org.ferrymq.persistence.DeliveryState;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.topic.SubscriptionEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of a failover, without a cluster: a node that took over a dead node's
 * session ({@link ClusterPort#adopt}) routes what was on its way to the dead node to that
 * session only ({@link ClusterPort#routeForSessions}), and not a QoS 2 message the session
 * already holds from the dead node's copy [MQTT-4.3.3-1].
 */
class RouteForSessionsTest {
  private final MqttBroker sut = TestBrokers.started();

  @AfterEach
  void stop() {
    sut.stop();
  }

  private static Message qos2(long originSequence, String payload) {
    return new Message("adopted/t", payload.getBytes(StandardCharsets.UTF_8), QoS.EXACTLY_ONCE,
        false, Properties.EMPTY, 0, "publisher", originSequence);
  }

  @Test
  void aMessageForTheAdoptedSessionsReachesThemOnlyAndAQos2MessageTheyHoldNotAgain()
      throws Exception {
    TestClient bystander = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "bystander",
        true);
    bystander.subscribe("adopted/#", QoS.EXACTLY_ONCE);
    // the dead node had taken message 7 (its copy says so, with the number it kept)
    StoredSession record = new StoredSession("adopted", ProtocolVersion.MQTT_3_1_1.level(), 300,
        System.currentTimeMillis(), List.of(SubscriptionEntry.of("adopted",
            new Subscription("adopted/#", QoS.EXACTLY_ONCE), 0)), List.of(), 1, null, 0);
    StoredDelivery taken = new StoredDelivery(1, qos2(7, "seven"), QoS.EXACTLY_ONCE, false,
        List.of(), null, 0, DeliveryState.QUEUED);
    sut.clusterPort().adopt(new ExportedSession(record, List.of(taken)))
        .get(5, TimeUnit.SECONDS);

    // Exercise: 7 and 8 were on their way to the dead node, and come again from the origin
    CompletableFuture<Integer> seven = new CompletableFuture<>();
    CompletableFuture<Integer> eight = new CompletableFuture<>();
    sut.clusterPort().routeForSessions(qos2(7, "seven"), Set.of("adopted"), seven::complete);
    sut.clusterPort().routeForSessions(qos2(8, "eight"), Set.of("adopted"), eight::complete);

    // Verify
    assertEquals(1, seven.get(5, TimeUnit.SECONDS), "taken: the session holds it already");
    assertEquals(1, eight.get(5, TimeUnit.SECONDS));
    TestClient resumed = TestClient.connect(sut, ProtocolVersion.MQTT_3_1_1, "adopted", false);
    resumed.expectPublish("adopted/t", "seven");
    resumed.expectPublish("adopted/t", "eight");
    resumed.expectNothing(sut);
    bystander.expectNothing(sut);
  }
}
