package org.ferrymq.ra;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.engine.MqttBroker;
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

  private static final Logger LOG = Logger.getLogger(DeadLetters.class.getName());

  private DeadLetters() {
  }

  /**
   * Publishes the dead letter and logs it as a WARNING, or as SEVERE when the broker is gone.
   *
   * @param consumer who failed, for the log (an activation's or a session's name)
   * @return whether it was published
   */
  static boolean publish(MqttBroker broker, Message failed, String deadLetterTopic, int attempts,
      String consumer) {
    try {
      broker.publish(of(failed, deadLetterTopic, attempts));
      LOG.warning(() -> "A message on '" + failed.topic() + "' failed " + attempts
          + " deliveries to " + consumer + "; published to '" + deadLetterTopic + "'");
      return true;
    } catch (IllegalStateException e) {
      LOG.log(Level.SEVERE, "A message on '" + failed.topic() + "' failed every delivery to "
          + consumer + " and cannot be dead-lettered", e);
      return false;
    }
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
