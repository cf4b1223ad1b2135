package org.ferrymq.api;

/**
 * An in-process subscription ({@link MqttConnection#subscribe}); it lasts until closed, also
 * after the connection handle that made it is closed.
 */
public interface MqttSubscription extends AutoCloseable {

  /** @return the topic filter subscribed to */
  String topicFilter();

  /**
   * Stops the deliveries. A subscription with a session name keeps its session: messages
   * matching it wait there (within the broker's queue bounds) for the next subscribe with that
   * name, and so do those handed over and not acknowledged.
   */
  @Override
  void close();
}
