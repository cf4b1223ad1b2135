package org.ferrymq.web.health;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ferrymq.cluster.ClusterStatus;

/**
 * The cluster's part of readiness (docs/cluster.md, "Operations"). A clustered node is ready
 * while its member runs; it has joined before the broker was published, so a node that could
 * not join never gets here. A node left alone by its peers stays ready: it may be the last
 * survivor, and an unready survivor would take the whole service out of the load balancer (a
 * Kubernetes Service keeps no endpoint of an unready pod). The member count and the configured
 * list are in the data, for alerts.
 */
final class ClusterReadiness {

  private ClusterReadiness() {
  }

  /** @return whether the cluster lets this node take clients */
  static boolean ready(ClusterStatus status) {
    return status.running();
  }

  /** @return the readiness data, keys prefixed {@code cluster.}, in a stable order */
  static Map<String, Object> data(ClusterStatus status) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("cluster.name", status.name());
    data.put("cluster.node", status.nodeId());
    data.put("cluster.address", status.address());
    data.put("cluster.running", status.running());
    data.put("cluster.members", status.memberCount());
    data.put("cluster.member.list", String.join(",", status.members()));
    data.put("cluster.members.configured", String.join(",", status.configuredMembers()));
    data.put("cluster.clients.connected", status.totals().clientsConnected());
    data.put("cluster.min-members", status.minMembers());
    data.put("cluster.quorum", status.quorate());
    return data;
  }
}
