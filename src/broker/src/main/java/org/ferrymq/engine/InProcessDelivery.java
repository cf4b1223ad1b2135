package org.ferrymq.engine;

import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;

/**
 * One message handed to a durable in-process subscriber ({@link MqttBroker#attachSession}). At
 * QoS 1 or 2 it stays in the session's in-flight window, in the store too, until {@link
 * #acknowledge()}: a subscriber that stops, or a server that restarts, before that gets it again
 * with {@link #redelivered()} set. Immutable; {@link #acknowledge()} may be called from any
 * thread.
 */
public final class InProcessDelivery {
  private final Message message;
  private final QoS qos;
  private final boolean redelivered;
  private final Runnable acknowledgement;

  InProcessDelivery(Message message, QoS qos, boolean redelivered, Runnable acknowledgement) {
    this.message = message;
    this.qos = qos;
    this.redelivered = redelivered;
    this.acknowledgement = acknowledgement;
  }

  /** @return the message as published (its retain flag as delivered) */
  public Message message() {
    return message;
  }

  /** @return the delivery's QoS: the lower of the publisher's and the subscription's */
  public QoS qos() {
    return qos;
  }

  /** @return whether this message was handed over before and not acknowledged (MQTT's DUP) */
  public boolean redelivered() {
    return redelivered;
  }

  /**
   * The subscriber is done with the message: the session forgets it and the next one may take
   * its place in the window. Without effect at QoS 0, for a second call, and after the
   * subscriber detached (the message then comes again on the next attach).
   */
  public void acknowledge() {
    acknowledgement.run();
  }
}
