package org.ferrymq.reactive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.ferrymq.api.MqttMessage;
import org.ferrymq.api.MqttSubscriptionOptions;
import org.junit.jupiter.api.Test;

/**
 * A channel's attributes: defaults, the session named after the application and the channel,
 * and what an outgoing channel makes of each kind of payload.
 */
class ChannelSettingsTest {

  private static ChannelSettings settings(Map<String, String> attributes) {
    return ChannelSettings.from(name -> Optional.ofNullable(attributes.get(name)),
        () -> "shop");
  }

  @Test
  void anIncomingChannelIsAQos1SessionNamedAfterTheApplicationAndChannel() {
    ChannelSettings sut = settings(Map.of("channel-name", "sensors", "topic", "sensors/+/temp"));

    // Exercise
    MqttSubscriptionOptions options = sut.subscription();

    // Verify
    assertEquals("sensors/+/temp", options.topicFilter());
    assertEquals(1, options.qos());
    assertEquals(Optional.of("shop/sensors"), options.sessionName());
    assertEquals(10, options.receiveMaximum());
    assertEquals(5, options.maxRedeliveries());
    assertEquals(1000, options.redeliveryDelayMillis());
    assertEquals(Optional.empty(), options.deadLetterTopic());
    assertEquals("jca/ferrymq", sut.connectionFactory());
  }

  @Test
  void attributesOverrideTheDefaultsAndBadOnesNameTheAttribute() {
    ChannelSettings sut = settings(Map.of("channel-name", "c", "topic", "t", "qos", "2",
        "session", "fixed", "receive-maximum", "3", "dead-letter-topic", "failed/t"));

    assertEquals(Optional.of("fixed"), sut.subscription().sessionName());
    assertEquals(2, sut.subscription().qos());
    assertEquals(3, sut.subscription().receiveMaximum());
    assertEquals(Optional.of("failed/t"), sut.subscription().deadLetterTopic());
    IllegalArgumentException noTopic = assertThrows(IllegalArgumentException.class,
        () -> settings(Map.of("channel-name", "c")));
    assertTrue(noTopic.getMessage().contains("'topic'"), noTopic.getMessage());
    IllegalArgumentException badQos = assertThrows(IllegalArgumentException.class,
        () -> settings(Map.of("channel-name", "c", "topic", "t", "qos", "one")));
    assertTrue(badQos.getMessage().contains("qos"), badQos.getMessage());
  }

  @Test
  void anOutgoingChannelPublishesPlainPayloadsToItsTopicAndMqttMessagesAsTheyAre() {
    OutgoingChannel sut = new OutgoingChannel(settings(Map.of("channel-name", "out",
        "topic", "orders/created", "qos", "2", "retain", "true")), () -> {
          throw new IllegalStateException("not used");
        });
    MqttMessage own = MqttMessage.builder("elsewhere").userProperty("k", "v").build();

    // Exercise
    MqttMessage text = sut.toMqtt("order 42");
    MqttMessage bytes = sut.toMqtt(new byte[] {1, 2});

    // Verify
    assertEquals("orders/created", text.topic());
    assertEquals("order 42", new String(text.payload(), StandardCharsets.UTF_8));
    assertEquals(2, text.qos());
    assertTrue(text.retained());
    assertEquals(2, bytes.payload().length);
    assertSame(own, sut.toMqtt(own), "an MqttMessage is published as it is");
    assertFalse(sut.toMqtt(own).retained());
  }
}
