package org.ferrymq.ra;

import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;

/**
 * The message a bean failed to process, as published to its dead-letter topic: the payload,
 * QoS and properties of the original (its remaining expiry too), not retained, with two user
 * properties added so that whoever reads the topic knows where it came from and why it is there.
 */
final class DeadLetters {

  /** User property naming the topic the message was published to. */
  static final String ORIGINAL_TOPIC = "ferrymq-original-topic";
  /** User property with the number of deliveries that failed. */
  static final String DELIVERY_ATTEMPTS = "ferrymq-delivery-attempts";

  private DeadLetters() {
  }

  /** @return the dead letter of {@code failed} after {@code attempts} failed deliveries */
  static Message of(Message failed, String deadLetterTopic, int attempts) {
    Properties props = failed.properties().toBuilder()
        .userProperty(ORIGINAL_TOPIC, failed.topic())
        .userProperty(DELIVERY_ATTEMPTS, Integer.toString(attempts))
        .build();
    return new Message(deadLetterTopic, failed.payload(), failed.qos(), false, props,
        failed.expiresAtMillis(), "");
  }
}
