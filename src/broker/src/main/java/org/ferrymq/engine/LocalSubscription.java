package org.ferrymq.engine;

/** An in-process subscription made with {@link MqttBroker#subscribe}; closing it unsubscribes. */
public interface LocalSubscription extends AutoCloseable {

  /** @return the topic filter, as given (may be a shared subscription) */
  String filter();

  @Override
  void close();
}
