package org.ferrymq.api;

/**
 * The message listener interface of FerryMQ message-driven beans: each message matching the
 * activation spec's topic filter arrives here, in order per publisher.
 */
public interface MqttMessageListener {

  /**
   * Receives one message.
   *
   * @param message the message: its QoS is that of this delivery (at most the activation spec's
   *     {@code qos}), {@code retained} says it came from the retained store on subscription, and
   *     a message expiry interval is what remains of the publisher's
   */
  void onMessage(MqttMessage message);
}
