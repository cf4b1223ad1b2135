package org.ferrymq.api;

/** A connection handle for publishing into the broker; not thread-safe, close it after use. */
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

  @Override
  void close();
}
