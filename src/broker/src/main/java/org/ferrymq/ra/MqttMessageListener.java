package org.ferrymq.ra;

/**
 * The message listener interface of FerryMQ message-driven beans: each message matching the
 * activation spec's topic filter arrives here, in order per publisher.
 */
public interface MqttMessageListener {

  /**
   * Receives one message.
   *
   * @param topic the topic the message was published to
   * @param payload the payload; the bean may keep it
   * @param qos the QoS of this delivery (at most the activation spec's {@code qos})
   * @param retained whether the message came from the retained store on subscription
   */
  void onMessage(String topic, byte[] payload, int qos, boolean retained);
}
