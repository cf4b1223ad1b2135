package org.ferrymq.engine;

import org.ferrymq.packet.Will;

/**
 * Where a cluster keeps the Will of each open connection whose session ends with it (Session
 * Expiry Interval 0), so that a surviving node publishes it when this node dies with the
 * connection: the network connection then closed without a DISCONNECT, and the Will is due
 * [MQTT-3.1.2-8]. A persistent session's Will travels in its backup copy instead. A single node
 * has none ({@link MqttBroker.Builder#connectionWills}). Called on the session's lane; must not
 * block.
 */
public interface ConnectionWills {

  /**
   * A connection with a Will was accepted for a session that ends with it.
   *
   * @return the token that names this connection's copy in {@link #released}
   */
  long kept(String clientId, Will will);

  /** That connection ended on this node, which dealt with its Will: the copy goes. */
  void released(String clientId, long token);
}
