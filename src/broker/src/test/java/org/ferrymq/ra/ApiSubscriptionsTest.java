package org.ferrymq.ra;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.ferrymq.api.MqttDelivery;
import org.ferrymq.api.MqttSubscription;
import org.ferrymq.api.MqttSubscriptionOptions;
import org.ferrymq.api.UserProperty;
import org.ferrymq.engine.LocalSubscription;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.QoS;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The application API's in-process subscriptions on a running broker: an acknowledgement
 * completes the broker's delivery, a rejection brings the message back after the delay and,
 * once the redeliveries are spent, onto the dead-letter topic; what is not acknowledged when
 * the subscription closes comes to the next subscription of the same session.
 */
class ApiSubscriptionsTest {

  private final MqttBroker broker = TestBrokers.started();
  private final List<MqttDelivery> received = new CopyOnWriteArrayList<>();
  private final List<Message> deadLetters = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    broker.stop();
  }

  private MqttSubscription subscribe(int maxRedeliveries) {
    return ApiSubscriptions.subscribe(broker, MqttSubscriptionOptions.builder("sensors/#")
        .sessionName("app/sensors").maxRedeliveries(maxRedeliveries).redeliveryDelayMillis(10)
        .build(), received::add);
  }

  private void publish(String payload) {
    broker.publish(new Message("sensors/1", payload.getBytes(StandardCharsets.UTF_8),
        QoS.AT_LEAST_ONCE, false, Properties.builder().userProperty("unit", "C").build(), 0,
        ""));
  }

  private MqttDelivery awaitDelivery(int index) {
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() > index);
    return received.get(index);
  }

  @Test
  void aRejectedMessageComesAgainMarkedRedeliveredAndAnAcknowledgedOneDoesNot() {
    subscribe(5);
    publish("21.5");

    // Exercise
    MqttDelivery first = awaitDelivery(0);
    first.reject(new IllegalStateException("not now"));
    MqttDelivery second = awaitDelivery(1);
    second.acknowledge();
    second.reject(new IllegalStateException("too late: acknowledged already"));

    // Verify
    assertFalse(first.redelivered());
    assertTrue(second.redelivered());
    assertEquals("21.5", new String(second.message().payload(), StandardCharsets.UTF_8));
    assertEquals(List.of(new UserProperty("unit", "C")), second.message().userProperties());
    TestBrokers.drainLanes(broker);
    assertEquals(2, received.size(), "acknowledged: nothing more");
  }

  @Test
  void aMessageRejectedEveryTimeGoesToTheSessionsDeadLetterTopic() {
    LocalSubscription dlq = broker.subscribe("$dlq/#", QoS.AT_LEAST_ONCE, deadLetters::add);
    subscribe(1);
    publish("poison");

    // Exercise
    awaitDelivery(0).reject(new IllegalStateException("1"));
    awaitDelivery(1).reject(new IllegalStateException("2"));

    // Verify
    await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.size() == 1);
    assertEquals("$dlq/app/sensors", deadLetters.get(0).topic());
    dlq.close();
  }

  @Test
  void whatIsNotAcknowledgedWhenTheSubscriptionClosesComesToTheNextOne() {
    MqttSubscription first = subscribe(5);
    publish("pending");
    awaitDelivery(0);

    // Exercise
    first.close();
    TestBrokers.drainLanes(broker);
    publish("while closed");
    subscribe(5);

    // Verify
    awaitDelivery(2);
    assertEquals(List.of("pending", "pending", "while closed"), received.stream()
        .map(d -> new String(d.message().payload(), StandardCharsets.UTF_8)).toList());
    assertTrue(received.get(1).redelivered());
  }

  @Test
  void invalidFiltersAndLoopingDeadLetterTopicsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> ApiSubscriptions.subscribe(broker,
        MqttSubscriptionOptions.builder("a/#/b").sessionName("s").build(), received::add));
    assertThrows(IllegalArgumentException.class, () -> ApiSubscriptions.subscribe(broker,
        MqttSubscriptionOptions.builder("$dlq/#").sessionName("s").build(), received::add));
    assertThrows(IllegalArgumentException.class,
        () -> MqttSubscriptionOptions.builder("a").qos(1).build(), "QoS 1 without a session");
  }
}
