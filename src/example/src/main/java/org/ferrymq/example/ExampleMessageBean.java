package org.ferrymq.example;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;
import org.ferrymq.api.MqttMessage;
import org.ferrymq.api.MqttMessageListener;

/**
 * Example of a Jakarta EE application consuming MQTT without a network hop: a message-driven bean
 * on {@code example/#} (server.xml's {@code activationSpec} may change the filter). It logs each
 * message and keeps the last ones for {@code /example/messages}; it throws for a payload that
 * begins with {@code reject:}, which shows redelivery and the dead-letter topic, and takes its
 * time over one that begins with {@code slow:}, which shows flow control. At QoS 1 the bean's
 * subscription is a persistent session of the broker: messages published while the application
 * is stopped wait for it.
 */
@MessageDriven(activationConfig = {
    @ActivationConfigProperty(propertyName = "topicFilter", propertyValue = "example/#"),
    @ActivationConfigProperty(propertyName = "qos", propertyValue = "1")
})
public class ExampleMessageBean implements MqttMessageListener {

  private static final Logger LOG = Logger.getLogger(ExampleMessageBean.class.getName());
  /** Payloads that begin with this stand for messages the application cannot process. */
  static final String REJECTED_PREFIX = "reject:";
  /** Payloads that begin with this stand for work on a slow back end: 10 ms each. */
  static final String SLOW_PREFIX = "slow:";
  private static final long SLOW_MILLIS = 10;

  @Override
  public void onMessage(MqttMessage message) {
    String text = new String(message.payload(), StandardCharsets.UTF_8);
    LOG.info(() -> "Example bean received '" + text + "' on " + message.topic() + " (QoS "
        + message.qos() + ")");
    RecentMessages.add(new RecentMessages.Received(message.topic(), text, message.qos(),
        message.retained()));
    if (text.startsWith(SLOW_PREFIX)) {
      // At QoS 1 the message is acknowledged to the broker only once onMessage returns, so
      // while the bean is slow the broker queues for it and then slows the publishers down
      pause(SLOW_MILLIS);
    }
    if (text.startsWith(REJECTED_PREFIX)) {
      // A message the application cannot process: the adapter redelivers it, then publishes it
      // to the activation's dead-letter topic
      throw new IllegalArgumentException("The example bean rejects '" + text + "'");
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
