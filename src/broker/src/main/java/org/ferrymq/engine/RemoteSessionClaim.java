package org.ferrymq.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.security.ClientIdentity;

/**
 * A CONNECT whose session may be on another node of the cluster: asks for it ({@link
 * SessionHandover}) and goes on, back on the connection's lane, once the answer is there. The
 * connection waits as during a credential check (packets after the CONNECT are kept); no lane
 * or I/O thread waits for the network.
 */
final class RemoteSessionClaim {

  private RemoteSessionClaim() {
  }

  static void claim(ConnectionHandler h, Connect c, ClientIdentity identity, String authMethod,
      byte[] authData) {
    h.checking();
    Lane lane = h.lane();
    CompletionStage<SessionClaim> answer;
    try {
      answer = h.core().handover.claim(h.clientId(),
          identity == null ? null : identity.username(), c.cleanStart());
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete((claim, failure) -> lane.executeHere(() -> answered(h, c, identity,
        authMethod, authData, failure != null ? SessionClaim.unavailable(failure.toString())
            : claim)));
  }

  /** On the lane again: adopts a session handed over, then completes or refuses the CONNECT. */
  private static void answered(ConnectionHandler h, Connect c, ClientIdentity identity,
      String authMethod, byte[] authData, SessionClaim claim) {
    if (claim.outcome() == SessionClaim.Outcome.HANDED_OVER) {
      // kept even when this connection has gone meanwhile: the other node no longer has it
      SessionTransfer.adopt(h.core(), claim.session());
    }
    if (h.state() != ConnectionHandler.State.CHECKING) {
      return;
    }
    if (h.closedBeforeConnAck()) {
      h.closeSilently();
      return;
    }
    switch (claim.outcome()) {
      case UNAVAILABLE -> ConnectFlow.refuse(h, ReasonCode.SERVER_UNAVAILABLE,
          "the cluster did not hand the session over: " + claim.reason(),
          Level.WARNING);
      case REFUSED -> ConnectFlow.refuse(h, ReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
          claim.reason(), Level.FINE);
      default -> ConnectFlow.resumeOrCreate(h, c, identity, authMethod, authData);
    }
    h.resumeDeferred();
  }
}
