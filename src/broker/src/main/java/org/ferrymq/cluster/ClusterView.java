package org.ferrymq.cluster;

import java.util.List;

/**
 * What the operations surface (health, metrics, admin API, dashboard) reads of this node's
 * cluster. Plain values only: using it loads no Hazelcast class.
 */
public interface ClusterView {

  /** @return this node's view of its cluster now; local reads only */
  ClusterStatus status();

  /** @return every member with the figures it last reported, oldest member first; local reads */
  List<NodeFigures> nodes();

  /**
   * @return what crosses between this node and each other member now, oldest member first;
   *     local reads only, and only current members: a peer that left is not listed
   */
  List<PeerTraffic> peers();

  /**
   * Asks every member for its clients (network clients only, as the admin API lists them).
   *
   * @return per member, oldest first, its clients or that it did not answer in time
   */
  List<NodeClients> clients();
}
