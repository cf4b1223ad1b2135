package org.ferrymq.ra;

/** A connection handle for publishing into the broker; not thread-safe, close it after use. */
public interface MqttConnection extends AutoCloseable {

  /**
   * Publishes a message as if a client had sent it.
   *
   * @param topic a topic name without wildcards
   * @param payload the payload bytes
   * @param qos 0, 1 or 2
   * @param retained whether the broker keeps it as the topic's retained message
   * @throws IllegalStateException when the handle is closed or the broker is not running
   * @throws IllegalArgumentException when the topic or QoS is invalid
   */
  void publish(String topic, byte[] payload, int qos, boolean retained);

  @Override
  void close();
}
