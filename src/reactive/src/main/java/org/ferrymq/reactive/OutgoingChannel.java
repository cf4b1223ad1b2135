package org.ferrymq.reactive;

import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.ferrymq.api.MqttConnection;
import org.ferrymq.api.MqttMessage;

/**
 * Publishes what an outgoing channel carries: an {@link MqttMessage} payload as it is (its own
 * topic, QoS, retain flag and MQTT 5 properties), any other payload to the channel's topic at
 * its QoS and retain flag, as bytes ({@code byte[]}) or as UTF-8 text (a {@code String} or
 * anything else by {@code toString()}). A published message is acked; one the broker refuses
 * (invalid topic, broker stopped) is nacked with the exception.
 */
final class OutgoingChannel {

  private static final Logger LOG = Logger.getLogger(OutgoingChannel.class.getName());

  /** Opens a connection handle per message; the container pools them. */
  @FunctionalInterface
  interface Connections {
    MqttConnection open() throws Exception;
  }

  private final ChannelSettings settings;
  private final Connections connections;

  OutgoingChannel(ChannelSettings settings, Connections connections) {
    this.settings = settings;
    this.connections = connections;
  }

  void send(Message<?> message) {
    try (MqttConnection connection = connections.open()) {
      connection.publish(toMqtt(message.getPayload()));
    } catch (Exception e) {
      LOG.log(Level.WARNING, "The ferrymq channel '" + settings.channel()
          + "' could not publish a message", e);
      message.nack(e);
      return;
    }
    message.ack();
  }

  /** @return the MQTT message for a channel's payload */
  MqttMessage toMqtt(Object payload) {
    if (payload instanceof MqttMessage m) {
      return m;
    }
    byte[] bytes = payload instanceof byte[] b ? b
        : String.valueOf(payload).getBytes(StandardCharsets.UTF_8);
    return MqttMessage.builder(settings.topic()).payload(bytes).qos(settings.qos())
        .retained(settings.retain()).build();
  }
}
