package org.ferrymq.engine;

/**
 * Whether this node may acknowledge a QoS 1/2 message for the receivers a route found, on a
 * node that may be on a side of a network split without quorum (SPI; {@code
 * org.ferrymq.cluster} implements it). The majority adopts such a side's persistent sessions
 * and the merge keeps its copies, so what this node queues for them meanwhile is lost; a member
 * that left the side unadopted may hold its sessions across the split. The router asks before
 * it delivers a QoS 1/2 message to anyone and fails the whole message when a receiver's copy
 * would not last, so a resend is no duplicate for the others ({@link QuorumBound}). Without one
 * (a single node, or a cluster without split-brain protection) every message may be
 * acknowledged. Thread-safe: the lanes call it.
 */
public interface AckSafety {

  /**
   * @return whether every receiver's copy lasts now (this node's side has its quorum); asked
   *     for each QoS 1/2 message to a persistent session or a peer, so cheap
   */
  boolean keepsAll();

  /**
   * Asked only while {@link #keepsAll} is false.
   *
   * @param node a peer's node id, as in {@link PeerKey#of(String)}
   * @return whether what is forwarded to that peer lasts: not for a member that left this side
   *     unadopted, which may live on across the split, nor for one that left a moment ago
   */
  boolean keepsForPeer(String node);
}
