package org.ferrymq.engine;

/**
 * What a {@link SessionRegistry} holds: one session of this broker, known by its client id. The
 * engine puts only its own sessions into the registry and expects them back from {@link
 * SessionRegistry#get}; their state stays private to the engine and confined to its lanes.
 */
public interface SessionHandle {

  /** @return the client identifier the session is registered under */
  String clientId();
}
