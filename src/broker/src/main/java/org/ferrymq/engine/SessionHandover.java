package org.ferrymq.engine;

import java.util.concurrent.CompletionStage;

/**
 * Where a CONNECT finds its client's session when another node of a cluster holds it ({@link
 * MqttBroker.Builder#sessionHandover}). A single node has none, and a CONNECT then never waits
 * for one. The holder answers through {@link ClusterPort#handOver}; this node takes a session
 * handed over too late for its CONNECT through {@link ClusterPort#adopt}.
 */
public interface SessionHandover {

  /**
   * Asks the node holding the client's session, if another node holds it, to hand it over:
   * that node disconnects its client (DISCONNECT 0x8E), checks the claimant is the session's
   * owner and exports the session, or ends it for a clean start. Must not block the caller
   * (a lane); the stage completes on any thread, within the cluster's handover timeout.
   *
   * @param clientId the CONNECT's client identifier
   * @param username the authenticated user, null for an anonymous client
   * @param cleanStart whether the CONNECT asks for a clean start
   * @return completes with the answer, never exceptionally when it can help it
   */
  CompletionStage<SessionClaim> claim(String clientId, String username, boolean cleanStart);
}
