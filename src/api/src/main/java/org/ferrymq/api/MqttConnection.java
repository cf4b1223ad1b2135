package org.ferrymq.api;

/**
 * A connection handle for publishing into the broker and subscribing in-process; not
 * thread-safe, close it after use (its subscriptions stay until they are closed).
 */
public interface MqttConnection extends AutoCloseable {

  /**
   * Publishes a message as if a client had sent it, with its MQTT 5 properties; subscribers on
   * MQTT 5 receive them, MQTT 3.1.1 subscribers the topic and payload only.
   *
   * @param message the message
   * @throws IllegalStateException when the handle is closed or the broker is not running
   * @throws IllegalArgumentException when the topic is not a valid topic name (no wildcards)
   */
  void publish(MqttMessage message);

  /**
   * Publishes a message without properties.
   *
   * @param topic a topic name without wildcards
   * @param payload the payload bytes
   * @param qos 0, 1 or 2
   * @param retained whether the broker keeps it as the topic's retained message
   * @throws IllegalStateException when the handle is closed or the broker is not running
   * @throws IllegalArgumentException when the topic or QoS is invalid
   */
  default void publish(String topic, byte[] payload, int qos, boolean retained) {
    publish(MqttMessage.builder(topic).payload(payload).qos(qos).retained(retained).build());
  }

  /**
   * Subscribes in-process, without a network hop. At QoS 1 or 2 the subscription is a
   * persistent session of the broker named {@link MqttSubscriptionOptions#sessionName()}: what
   * matches it while no one is subscribed waits there (within the broker's queue bounds), also
   * across server restarts in the persistence modes {@code queued} and {@code persistent}; at
   * most {@link MqttSubscriptionOptions#receiveMaximum()} deliveries await acknowledgement, and
   * past the queue bound the publishers are slowed down, as for a network client. At QoS 0
   * messages arrive at most once and nothing is kept.
   *
   * @param options the filter, QoS, session and redelivery settings
   * @param listener receives each delivery; must return quickly
   * @return the subscription; close it to stop the deliveries
   * @throws IllegalStateException when the handle is closed, the broker is not running, or the
   *     session already has a subscriber
   * @throws IllegalArgumentException when the topic filter or dead-letter topic is invalid
   */
  MqttSubscription subscribe(MqttSubscriptionOptions options, MqttDeliveryListener listener);

  @Override
  void close();
}
