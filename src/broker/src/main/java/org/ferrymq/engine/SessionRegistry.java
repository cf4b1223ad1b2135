package org.ferrymq.engine;

import java.util.Collection;

/**
 * The sessions of the broker by client id: the seam where a cluster keeps its directory of
 * which client is where. The broker is built with one ({@link MqttBroker.Builder#sessionRegistry});
 * {@link LocalSessionRegistry} is the default. Protocol code reaches sessions only through this
 * interface, so another implementation needs no change to it. In-process subscribers are not
 * sessions and never registered here.
 *
 * <p>All methods may be called concurrently from any thread; {@link #get} is on the path of
 * every delivery and must not block or allocate.
 */
public interface SessionRegistry {

  /**
   * @param clientId a client identifier
   * @return the session registered under it, or null
   */
  SessionHandle get(String clientId);

  /**
   * Registers a session under its client id, replacing whatever was registered under it.
   *
   * @param session a session of this broker
   */
  void put(SessionHandle session);

  /**
   * Removes a session, only if it is still the one registered under its client id.
   *
   * @param session a session of this broker
   * @return whether it was removed
   */
  boolean remove(SessionHandle session);

  /** @return the number of registered sessions */
  int size();

  /** @return the registered sessions; weakly consistent, for admin views and tests */
  Collection<SessionHandle> all();
}
