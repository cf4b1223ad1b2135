package org.ferrymq.ra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.UserProperty;
import org.ferrymq.topic.TopicMatcher;
import org.ferrymq.topic.Topics;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

  @Test
  void theDeadLetterKeepsTheOriginalAndSaysWhereItCameFrom() {
    Message failed = new Message("orders/7", "p".getBytes(StandardCharsets.UTF_8),
        QoS.EXACTLY_ONCE, true, Properties.builder().userProperty("tenant", "acme")
            .put(Property.CONTENT_TYPE, "text/plain").build(), 12_345, "client-a");

    // Exercise
    Message sut = DeadLetters.of(failed, "$dlq/app", 6);

    // Verify
    assertEquals("$dlq/app", sut.topic());
    assertArrayEquals(failed.payload(), sut.payload());
    assertEquals(QoS.EXACTLY_ONCE, sut.qos());
    assertFalse(sut.retain(), "a dead letter must not replace the topic's retained message");
    assertEquals(12_345, sut.expiresAtMillis());
    assertEquals("text/plain", sut.properties().getString(Property.CONTENT_TYPE));
    assertEquals(List.of(new UserProperty("tenant", "acme"),
        new UserProperty(DeadLetters.ORIGINAL_TOPIC, "orders/7"),
        new UserProperty(DeadLetters.DELIVERY_ATTEMPTS, "6")), sut.properties().userProperties());
  }

  @Test
  void theDefaultDeadLetterTopicIsAValidTopicNameForAnyActivationName() {
    // Exercise
    String sut = RedeliveryPolicy.defaultDeadLetterTopic("app#module.war#Bean+1");

    // Verify
    assertEquals("$dlq/app/module.war/Bean/1", sut);
    assertEquals(null, Topics.problemWithName(sut));
    assertFalse(TopicMatcher.matches("#", sut), "[MQTT-4.7.2-1] a bean on # never sees it");
  }
}
