package org.ferrymq.reactive;

import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.ferrymq.api.MqttSubscriptionOptions;

/**
 * The attributes of one {@code ferrymq} channel, read from MicroProfile Config ({@code
 * mp.messaging.incoming.<channel>.*} or {@code mp.messaging.outgoing.<channel>.*}).
 *
 * @param channel the channel's name
 * @param connectionFactory JNDI name of the FerryMQ connection factory
 * @param topic incoming: the topic filter; outgoing: the topic of payloads that are not an
 *     {@code MqttMessage}
 * @param qos incoming: the highest QoS delivered; outgoing: the QoS published
 * @param retain outgoing: whether plain payloads are published retained
 * @param session incoming at QoS 1/2: the broker session's name
 * @param receiveMaximum incoming: deliveries awaiting acknowledgement at most
 * @param maxRedeliveries incoming: redeliveries of a nacked message
 * @param redeliveryDelay incoming: milliseconds before each redelivery
 * @param deadLetterTopic incoming: where a message goes once every delivery was nacked; empty
 *     for {@code $dlq/<session>}
 */
record ChannelSettings(String channel, String connectionFactory, String topic, int qos,
    boolean retain, String session, int receiveMaximum, int maxRedeliveries,
    long redeliveryDelay, String deadLetterTopic) {

  /** Where server.xml binds the connection factory by default. */
  static final String DEFAULT_CONNECTION_FACTORY = "jca/ferrymq";

  /**
   * @param attribute the channel's attribute by name, e.g. {@code topic}
   * @param application the application's name, the first part of the default session name;
   *     asked only when the channel has no {@code session} attribute
   * @return the settings, defaults filled in
   * @throws IllegalArgumentException when {@code topic} is missing or a number is not one
   */
  static ChannelSettings from(Function<String, Optional<String>> attribute,
      Supplier<String> application) {
    String channel = attribute.apply("channel-name").orElse("");
    String topic = attribute.apply("topic").orElseThrow(() -> new IllegalArgumentException(
        "the ferrymq channel '" + channel + "' needs the attribute 'topic'"));
    return new ChannelSettings(channel,
        attribute.apply("connection-factory").orElse(DEFAULT_CONNECTION_FACTORY), topic,
        number(attribute, channel, "qos", 1), attribute.apply("retain")
            .map(Boolean::parseBoolean).orElse(false),
        attribute.apply("session").orElseGet(() -> application.get() + "/" + channel),
        number(attribute, channel, "receive-maximum", 10),
        number(attribute, channel, "max-redeliveries", 5),
        number(attribute, channel, "redelivery-delay", 1000),
        attribute.apply("dead-letter-topic").orElse(""));
  }

  private static int number(Function<String, Optional<String>> attribute, String channel,
      String name, int defaultValue) {
    String value = attribute.apply(name).orElse(null);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the ferrymq channel '" + channel + "': " + name
          + " must be a number, not '" + value + "'", e);
    }
  }

  /** @return the in-process subscription the incoming channel asks for */
  MqttSubscriptionOptions subscription() {
    MqttSubscriptionOptions.Builder b = MqttSubscriptionOptions.builder(topic).qos(qos)
        .receiveMaximum(receiveMaximum).maxRedeliveries(maxRedeliveries)
        .redeliveryDelayMillis(redeliveryDelay).deadLetterTopic(deadLetterTopic);
    if (qos > 0) {
      b.sessionName(session);
    }
    return b.build();
  }
}
