package org.ferrymq.api;

/**
 * Receives the deliveries of an in-process subscription ({@link MqttConnection#subscribe}). It
 * is called on a broker thread that serves other clients too, so it must return quickly and
 * never block: hand the delivery to the application's own thread or stream, and acknowledge it
 * from there.
 */
@FunctionalInterface
public interface MqttDeliveryListener {

  /** @param delivery the next message, in arrival order (per publisher) */
  void onDelivery(MqttDelivery delivery);
}
