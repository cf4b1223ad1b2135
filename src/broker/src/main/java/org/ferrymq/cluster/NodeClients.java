package org.ferrymq.cluster;

import java.util.List;
import org.ferrymq.engine.ClientSummary;

/**
 * The clients of one member, as it answered a cluster-wide query.
 *
 * @param nodeId the member's node id
 * @param address its cluster {@code host:port}
 * @param self whether it is the node that asked
 * @param answered whether it answered in time; without an answer {@code clients} is empty
 * @param clients its sessions, connected or not
 */
public record NodeClients(String nodeId, String address, boolean self, boolean answered,
    List<ClientSummary> clients) {

  public NodeClients {
    clients = List.copyOf(clients);
  }
}
