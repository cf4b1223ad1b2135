package org.ferrymq.engine;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.security.ClientIdentity;
import org.ferrymq.topic.SubscriptionEntry;

/**
 * Moves a session between the nodes of a cluster. The holder {@link #release releases} it on
 * its lane: it disconnects the client as a takeover does, checks the claimant is the owner, and
 * exports the session or ends it for a clean start. The claimant {@link #adopt adopts} what was
 * exported as the store's recovery restores a session. See docs/cluster.md, "Sessions".
 */
final class SessionTransfer {
  private static final Logger LOG = Logger.getLogger(SessionTransfer.class.getName());

  private SessionTransfer() {
  }

  /**
   * Releases the client's session to another node, on the session's lane.
   *
   * @param username the claimant's user, null for anonymous
   * @param toNode the claimant's node, where the session's messages that still arrive here
   *     are forwarded for a grace period; null for none
   * @return completes with the exported session, NOT_HELD when there is none here (or a clean
   *     start ended it), or REFUSED when the claimant is not its owner
   */
  static CompletableFuture<SessionClaim> release(BrokerCore core, String clientId,
      String username, boolean cleanStart, String toNode) {
    CompletableFuture<SessionClaim> answer = new CompletableFuture<>();
    core.laneFor(clientId).execute(() -> {
      try {
        answer.complete(releaseOnLane(core, clientId, username, cleanStart, toNode));
      } catch (RuntimeException e) {
        answer.completeExceptionally(e);
      }
    });
    return answer;
  }

  private static SessionClaim releaseOnLane(BrokerCore core, String clientId, String username,
      boolean cleanStart, String toNode) {
    Session s = core.session(clientId);
    if (s == null) {
      return SessionClaim.notHeld();
    }
    ClientIdentity claimant = username == null ? ClientIdentity.anonymous(clientId)
        : new ClientIdentity(clientId, username, Set.of());
    if (!SessionOwnership.permits(s, claimant)) {
      // checked on the holder's copy, before anything leaves it [MQTT-3.1.3-5]
      core.ownership.refused(clientId, s.owner(), claimant, "another cluster node");
      return SessionClaim.refused("the client identifier belongs to another identity's session");
    }
    ConnectionHandler c = s.connection();
    if (c != null) {
      // [MQTT-3.1.4-3] as a takeover on one node: DISCONNECT 0x8E, the Will by its rules
      c.closeWith(ReasonCode.SESSION_TAKEN_OVER, "another client connected");
      s = core.session(clientId);
      if (s == null) {
        return SessionClaim.notHeld();
      }
    }
    if (cleanStart) {
      SessionEnd.endSession(core, s);
      return SessionClaim.notHeld();
    }
    StoredSession record = s.snapshot();
    List<StoredDelivery> deliveries = s.outbox().export();
    List<MessageOrigin> recentlyTaken = s.recentlyTaken();
    // the held Will travels in the record: only the node that holds the session may publish it
    s.takeWill();
    if (toNode != null && core.moves != null) {
      // the forwarding entry before the session leaves the registry: a lane routing meanwhile
      // finds one or the other, never neither (which settled its message as taken by no one)
      core.moves.movedOut(s, toNode);
      SessionEnd.leave(core, s);
    } else {
      SessionEnd.remove(core, s);
    }
    LOG.fine(() -> "Session " + clientId + " handed over to another node with "
        + deliveries.size() + " deliveries");
    return SessionClaim.handedOver(new ExportedSession(record, deliveries, recentlyTaken));
  }

  /**
   * Makes a session exported by another node an offline session of this one, on its lane,
   * stored here as well. A session of that client created here meanwhile (two CONNECTs raced)
   * is taken over by it and ends.
   *
   * @return the adopted session
   */
  static Session adopt(BrokerCore core, ExportedSession exported) {
    StoredSession record = exported.session();
    String clientId = record.clientId();
    List<SubscriptionEntry> leftHere = core.moves == null ? List.of()
        : core.moves.comesBack(clientId);
    Session local = core.session(clientId);
    if (local != null) {
      LOG.info(() -> "Session " + clientId + " handed over from another node replaces the one "
          + "created here meanwhile");
      if (local.connection() != null) {
        local.connection().closeWith(ReasonCode.SESSION_TAKEN_OVER, "another client connected");
      }
      local = core.session(clientId);
      if (local != null) {
        SessionEnd.endSession(core, local);
      }
    }
    Session s = core.adoptedSession(clientId, core.laneFor(clientId));
    SessionRecovery.restore(core, s, record, exported.deliveries(), core.clock.millis());
    for (SubscriptionEntry e : leftHere) {
      if (!s.hasSubscription(e.fullFilter())) {
        core.index.unsubscribe(clientId, e.fullFilter());
      }
    }
    // what was being routed there was routed there: nothing here waits on those receipts
    s.inbound().restore(record.receipts(), record.nextInboundSequence(), sequence -> null);
    s.persist();
    for (StoredDelivery d : exported.deliveries()) {
      core.persistence.queues().put(clientId, d);
    }
    if (core.moves != null) {
      core.moves.arrived(s, exported.recentlyTaken(), exported.deliveries());
    }
    return s;
  }
}
