package org.ferrymq.api;

/**
 * One message handed to an in-process subscription ({@link MqttConnection#subscribe}). At QoS 1
 * or 2 the broker keeps it, in its store too, until it is acknowledged; {@link #reject} asks for
 * it again after the subscription's redelivery delay, and once its redeliveries are spent the
 * message goes to the dead-letter topic. Exactly one of the two should be called, from any
 * thread; further calls have no effect.
 */
public interface MqttDelivery {

  /** @return the message; {@link MqttMessage#qos()} is the delivery's QoS */
  MqttMessage message();

  /**
   * @return whether the message was handed over before without being acknowledged: rejected,
   *     or not acknowledged before the subscription ended or the server restarted
   */
  boolean redelivered();

  /** The application is done with the message: the broker forgets it. */
  void acknowledge();

  /**
   * The application could not process the message: it comes again after the redelivery delay,
   * or, after the last redelivery, is published to the dead-letter topic (then acknowledged).
   *
   * @param cause why; logged with the message's topic
   */
  void reject(Throwable cause);
}
