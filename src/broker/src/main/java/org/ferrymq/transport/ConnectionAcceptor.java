package org.ferrymq.transport;

/** Hands a new connection to the engine; implemented by the broker, called by listeners. */
@FunctionalInterface
public interface ConnectionAcceptor {

  /**
   * Registers a freshly opened connection.
   *
   * @param transport the connection's outbound side
   * @return the handler the transport feeds with inbound bytes and lifecycle events
   */
  InboundHandler accept(Transport transport);
}
