package org.ferrymq.ra;

/**
 * Operator view of one MQTT listener, registered as {@code org.ferrymq:type=Listener,name=...}.
 * Reachable through Liberty's local JMX connector only (same user, same machine) unless a REST
 * connector with an administrator role is configured.
 */
public interface ListenerControlMBean {

  /** @return the listener's name: {@code mqtt} or {@code mqtts} */
  String getName();

  /** @return the configured port */
  int getPort();

  /** @return connections accepted by this listener that are still open */
  long getOpenConnections();

  /** @return whether the socket is bound and accepting connections */
  boolean isAccepting();

  /** Stops accepting and closes the listener's connections; the broker keeps running. */
  void stop();

  /**
   * Binds the listener again after {@link #stop()}.
   *
   * @throws IllegalStateException when the port cannot be bound
   */
  void start();
}
