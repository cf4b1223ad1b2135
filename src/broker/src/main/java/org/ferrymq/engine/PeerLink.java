package org.ferrymq.engine;

import org.ferrymq.message.Message;

/**
 * The way to the broker's peers in a cluster (SPI; {@code org.ferrymq.cluster} implements it).
 * The engine hands it each message that a peer has a matching subscriber for, on the lane of
 * that peer's {@link PeerKey key}, so the messages of one publisher reach it in their order.
 * Without a link (the default) the engine has no peers and this is never called.
 */
public interface PeerLink {

  /**
   * Sends one message to a peer, whose broker routes it to its own subscribers only: its
   * non-shared ones, and one member of each shared group in {@code groups}.
   *
   * @param node the peer's node id, as in {@link PeerKey#of(String)}
   * @param message the message as published (QoS and RETAIN as the publisher sent them)
   * @param groups the shared groups this node chose the peer for
   * @param receipt told, from any thread and exactly once, how the peer took it
   */
  void forward(String node, Message message, GroupAssignment groups, Receipt receipt);

  /**
   * Sends one message to one session on a peer, not routed there by topic: the session moved
   * to that node a moment ago, and this node forwards what is still routed to it here ({@link
   * MovedSession}). The peer delivers it to that session once the session is there.
   *
   * @param node the peer's node id
   * @param message the message as published
   * @param delivery the session and what its subscriptions here granted
   * @param receipt told, from any thread and exactly once, how the peer took it
   */
  void forwardTo(String node, Message message, SessionDelivery delivery, Receipt receipt);

  /** How a forwarded message ended. */
  interface Receipt {
    /**
     * The peer took the message into every matching session of its own (queued, stored). The
     * publisher's acknowledgement may go.
     */
    void accepted();

    /**
     * The peer left the cluster (or stopped) before it took the message: its subscribers left
     * with it, but the shared groups it was chosen for may have members elsewhere.
     */
    void left();

    /** The peer could not take it: the publisher is not acknowledged as a success. */
    void failed();
  }
}
