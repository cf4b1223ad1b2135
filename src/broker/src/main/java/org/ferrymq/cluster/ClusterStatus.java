package org.ferrymq.cluster;

import java.util.List;

/**
 * This node's view of its cluster at one moment, for health checks, metrics and the admin
 * surface. A plain value: reading it loads no Hazelcast class.
 *
 * @param name the cluster's name
 * @param nodeId this node's id in the cluster
 * @param address this member's {@code host:port}
 * @param running whether this node's member runs (false once it left or was shut down)
 * @param members the members' {@code host:port} now, this one included, oldest first
 * @param configuredMembers the member list from {@code mqtt.cluster.members}
 * @param forwarded messages this node forwarded to peers since it joined
 * @param batchesSent batches those messages crossed in
 * @param receivedFromPeers messages peers forwarded to this node, routed here
 * @param refusedJoins join requests this node refused, as master, for want of the secret
 * @param sessionsHandedOver sessions this node handed over to another node's CONNECT
 * @param sessionsRestored sessions of members that left that this node restored from their
 *     backup copies (adopted, or taken by a CONNECT here)
 * @param totals the members' figures summed
 * @param minMembers the members this node's side needs to change cluster-wide state
 *     ({@code mqtt.cluster.min-members}; 1: no split-brain protection)
 * @param quorate whether this node's side has them now
 * @param mergedAfterSplit whether this node was cut off and merged back: Hazelcast then gave
 *     it a new identity, so it must restart to serve as a member again (liveness fails)
 */
public record ClusterStatus(String name, String nodeId, String address, boolean running,
    List<String> members, List<String> configuredMembers, long forwarded, long batchesSent,
    long receivedFromPeers, long refusedJoins, long sessionsHandedOver, long sessionsRestored,
    ClusterTotals totals, int minMembers,
    boolean quorate, boolean mergedAfterSplit) {

  public ClusterStatus {
    members = List.copyOf(members);
    configuredMembers = List.copyOf(configuredMembers);
  }

  /** @return the number of members now, this one included */
  public int memberCount() {
    return members.size();
  }
}
