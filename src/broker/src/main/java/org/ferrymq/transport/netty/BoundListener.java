package org.ferrymq.transport.netty;

import org.ferrymq.transport.TransportKind;

/**
 * A listening socket bound by {@link MqttServer#bind(ListenerSettings)}.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public interface BoundListener extends AutoCloseable {

  /** @return the port actually bound, which differs from the requested one when that was 0 */
  int port();

  /** @return whether the listener still accepts new connections */
  boolean isAccepting();

  /** @return {@link TransportKind#TLS} for a TLS listener, {@link TransportKind#TCP} otherwise */
  TransportKind kind();

  /** @return how many connections accepted by this listener are currently open */
  long openConnections();

  /**
   * Stops accepting and closes every connection this listener accepted, waiting a bounded time
   * for the sockets to close. Idempotent.
   */
  @Override
  void close();
}
