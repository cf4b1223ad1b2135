package org.ferrymq.engine;

import org.ferrymq.persistence.StoredDelivery;

/**
 * What a {@link Session}'s {@link Outbox} sends to while the session is online: a network
 * connection ({@link ConnectionHandler}) or an in-process consumer ({@link InProcessPeer}). The
 * outbox keeps the queue, the in-flight window and the publishers' admissions for both, so an
 * in-process consumer gets the same acknowledgement, persistence and flow control as a network
 * client. Called on the session's lane.
 */
interface Peer {

  /**
   * Sends one delivery; QoS 1/2 deliveries stay in flight until acknowledged.
   *
   * @return false when the peer cannot take it at all (too large for the client): it is dropped
   */
  boolean sendPublish(StoredDelivery d, boolean dup);

  /** Releases a QoS 2 delivery the peer acknowledged with PUBREC. */
  void sendPubRel(int packetId);

  /** @return whether the peer takes more now; the outbox queues while it does not */
  boolean isWritable();
}
