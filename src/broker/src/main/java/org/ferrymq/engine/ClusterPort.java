package org.ferrymq.engine;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Will;

/**
 * What a cluster layer may do to this broker on behalf of its peers
 * ({@link MqttBroker#clusterPort()}): route a message a peer forwarded, mirror the
 * cluster-wide retained messages, and hand sessions over between nodes. Thread-safe; calls may come from any thread.
 */
public final class ClusterPort {
  private final BrokerCore core;

  ClusterPort(BrokerCore core) {
    this.core = core;
  }

  /**
   * Routes a message forwarded by a peer to this node's own subscribers (sessions and
   * in-process subscribers), with the usual QoS downgrade and Retain As Published per
   * subscription; it is never forwarded again, and not retained again here.
   *
   * @param message the message as its publisher sent it
   * @param groups the shared groups the origin chose this node for: one member of each gets
   *     the message, and no other group's members do
   * @param whenTaken receives the number of receivers once every receiving session admitted
   *     the message (a congested one defers that, which is the backpressure towards the origin
   *     node, for the forward timeout at most: then its client is disconnected, which admits
   *     it) and the store made it durable, or a negative number when a delivery failed (the
   *     sessions that took it are then left out of its publisher's resend: {@link
   *     PartlyTakenForwards})
   * @throws IllegalStateException when the broker is not running
   */
  public void routeFromPeer(Message message, GroupAssignment groups, IntConsumer whenTaken) {
    if (!core.isRunning()) {
      throw new IllegalStateException("broker is not running");
    }
    // The message keeps its number from its publisher: with the publisher's client id it is the
    // message's identity cluster-wide (MessageOrigin), by which a session that moved here takes
    // it once. Client ids are one session cluster-wide, and numbers are not reused, so recovery
    // here finds that publisher's QoS 2 receipts only if its session moved here, and then they
    // are the same
    core.routeFromPeer(message.arrivedAt(System.nanoTime()), groups, whenTaken);
  }

  /**
   * Routes a message that was on its way to a node that died to the sessions this node took
   * over from that node, and to no one else (this node's other receivers had their own copy):
   * to their matching non-shared subscriptions, and not to a session that already holds the
   * QoS 2 message ({@link Qos2Duplicates}), because the dead node took it before it died.
   *
   * @param sessions the client ids of the sessions taken over from the node that died
   * @param whenTaken as for {@link #routeFromPeer}
   * @throws IllegalStateException when the broker is not running
   */
  public void routeForSessions(Message message, Set<String> sessions, IntConsumer whenTaken) {
    if (!core.isRunning()) {
      throw new IllegalStateException("broker is not running");
    }
    core.routeForSessions(message.arrivedAt(System.nanoTime()), sessions, whenTaken);
  }

  /**
   * Publishes the Will of a client whose connection ended with a node that died ({@link
   * ConnectionWills}): its session ended with it, so the Will is due now [MQTT-3.1.2-8]. Its
   * permission was checked when that node accepted the CONNECT.
   *
   * @throws IllegalStateException when the broker is not running
   */
  public void publishWillOf(String clientId, Will will) {
    if (!core.isRunning()) {
      throw new IllegalStateException("broker is not running");
    }
    Lane lane = core.laneFor(clientId);
    lane.execute(() -> SessionEnd.publishWill(core, will, clientId, lane));
  }

  /**
   * Delivers a message a peer forwarded to one session of this node, not routed by topic: the
   * session moved here from that peer a moment ago ({@link MovedSession}). One that has not
   * arrived yet gets it when it arrives, within the handover's grace period; one that moved on
   * again has it forwarded after it.
   *
   * @param delivery the session and what its subscriptions on the peer granted
   * @param whenTaken as for {@link #routeFromPeer}
   * @throws IllegalStateException when the broker is not running, or has no peers
   */
  public void deliverToSession(Message message, SessionDelivery delivery,
      IntConsumer whenTaken) {
    if (!core.isRunning() || core.moves == null) {
      throw new IllegalStateException("broker is not running, or not in a cluster");
    }
    core.moves.arrive(message.arrivedAt(System.nanoTime()), delivery, whenTaken);
  }

  /** Keeps a retained message stored cluster-wide for this node's future subscribers. */
  public void mirrorRetained(Message message) {
    core.retained.mirror(message.withoutArrival());
  }

  /** Forgets the retained message of a topic deleted cluster-wide. */
  public void mirrorRetainedRemoved(String topic) {
    core.retained.mirrorRemoved(topic);
  }

  /**
   * Another node's CONNECT claims a session of this node: its client is disconnected here
   * (DISCONNECT 0x8E Session taken over), and the session is exported and ends here, or ends
   * for a clean start. Runs on the session's lane.
   *
   * @param username the claimant's user, null for anonymous; only the session's owner may
   *     take it
   * @param toNode the claimant's node id: for the handover's grace period, messages routed to
   *     the session here follow it there ({@link MovedSession}); null for none
   * @return completes with the answer for the claimant
   */
  public CompletableFuture<SessionClaim> handOver(String clientId, String username,
      boolean cleanStart, String toNode) {
    if (!core.isRunning()) {
      return CompletableFuture.completedFuture(SessionClaim.unavailable("node stopping"));
    }
    return SessionTransfer.release(core, clientId, username, cleanStart, toNode);
  }

  /**
   * Keeps a session another node exported as an offline session here: one handed over after
   * its CONNECT gave up waiting, or one read from a cluster-wide backup copy.
   *
   * @return completes once the session is in place here, subscriptions included
   */
  public CompletableFuture<Void> adopt(ExportedSession exported) {
    CompletableFuture<Void> adopted = new CompletableFuture<>();
    core.laneFor(exported.session().clientId()).execute(() -> {
      try {
        SessionTransfer.adopt(core, exported);
        adopted.complete(null);
      } catch (RuntimeException e) {
        adopted.completeExceptionally(e);
        throw e;
      }
    });
    return adopted;
  }
}
