package org.ferrymq.web.admin;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.ferrymq.cluster.ClusterStatus;
import org.ferrymq.cluster.ClusterView;
import org.ferrymq.cluster.NodeClients;
import org.ferrymq.cluster.NodeFigures;
import org.ferrymq.ra.BrokerRuntime;

/**
 * The cluster for the dashboard's node view (docs/cluster.md, "Operations"): its members with
 * their figures, and every member's clients with the node each is connected to. With clustering
 * off the cluster is this one node, and the clients are those of {@code /api/clients}.
 */
@Path("cluster")
@RolesAllowed(AdminApplication.ADMINISTRATOR)
@Tag(name = "cluster", description = "The cluster's nodes, and where each client is connected")
@SecurityRequirement(name = AdminApplication.BASIC)
public class ClusterResource {

  /**
   * One member.
   *
   * @param node its node id
   * @param address its cluster {@code host:port}
   * @param self whether it is the node that answers this request
   * @param reported whether it has reported figures yet (they come every mqtt.sys-interval)
   * @param clientsConnected its connected clients
   * @param connectionsOpen its network connections
   * @param messagesReceived PUBLISH packets it received since it started
   * @param messagesSent PUBLISH packets it sent since it started
   */
  public record NodeView(String node, String address, boolean self, boolean reported,
      long clientsConnected, long connectionsOpen, long messagesReceived, long messagesSent) {
    static NodeView of(NodeFigures f) {
      return new NodeView(f.nodeId(), f.address(), f.self(), f.reported(), f.clientsConnected(),
          f.connectionsOpen(), f.messagesReceived(), f.messagesSent());
    }
  }

  /**
   * The cluster as this node sees it.
   *
   * @param clustered whether this server is a member of a cluster (mqtt.cluster.enabled)
   * @param name the cluster's name; null with clustering off
   * @param node this node's id; null with clustering off
   * @param minMembers members a side needs to change cluster-wide state
   * @param quorum whether this node's side has them now
   * @param nodes the members, oldest first; empty with clustering off
   */
  public record ClusterOverview(boolean clustered, String name, String node, int minMembers,
      boolean quorum, List<NodeView> nodes) {
  }

  /**
   * One client and where it is.
   *
   * @param node the node id of the member that holds its session
   * @param nodeAddress that member's cluster {@code host:port}
   * @param local whether that member is the node answering (only its clients can be
   *     disconnected or opened through this node's API)
   */
  public record LocatedClient(String clientId, boolean connected, String transport,
      String protocol, Instant connectedSince, int subscriptions, int queued, String username,
      String node, String nodeAddress, boolean local) {
  }

  /**
   * Every member's clients.
   *
   * @param clients connected ones first, then by client id
   * @param unanswered the addresses of members that did not answer in time (their clients are
   *     missing)
   */
  public record ClusterClients(List<LocatedClient> clients, List<String> unanswered) {
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "The cluster's members with the figures each last reported")
  @APIResponse(responseCode = "200", description = "The cluster, or clustered=false")
  @APIResponse(responseCode = "401", description = "No credentials")
  @APIResponse(responseCode = "403", description = "Not an administrator")
  public ClusterOverview overview() {
    RunningBroker.get();
    return view().map(v -> {
      ClusterStatus s = v.status();
      return new ClusterOverview(true, s.name(), s.nodeId(), s.minMembers(), s.quorate(),
          v.nodes().stream().map(NodeView::of).toList());
    }).orElseGet(() -> new ClusterOverview(false, null, null, 1, true, List.of()));
  }

  @GET
  @Path("clients")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Every member's sessions, each with the node it is on; members that do "
      + "not answer within 5 s are listed as unanswered")
  @APIResponse(responseCode = "200", description = "The clients")
  @APIResponse(responseCode = "404", description = "Clustering is off: use /api/clients")
  @APIResponse(responseCode = "401", description = "No credentials")
  @APIResponse(responseCode = "403", description = "Not an administrator")
  public ClusterClients clients() {
    RunningBroker.get();
    ClusterView cluster = view().orElseThrow(() -> Problem.notFound(
        "Clustering is off (mqtt.cluster.enabled): this node's clients are at /api/clients"));
    List<LocatedClient> clients = new ArrayList<>();
    List<String> unanswered = new ArrayList<>();
    for (NodeClients n : cluster.clients()) {
      if (!n.answered()) {
        unanswered.add(n.address());
      }
      n.clients().stream().map(ClientsResource.ClientView::of)
          .map(c -> new LocatedClient(c.clientId(), c.connected(), c.transport(), c.protocol(),
              c.connectedSince(), c.subscriptions(), c.queued(), c.username(), n.nodeId(),
              n.address(), n.self()))
          .forEach(clients::add);
    }
    clients.sort(Comparator.comparing(LocatedClient::connected).reversed()
        .thenComparing(LocatedClient::clientId));
    return new ClusterClients(clients, unanswered);
  }

  private static java.util.Optional<ClusterView> view() {
    return BrokerRuntime.current().flatMap(BrokerRuntime.Running::clusterNodes);
  }
}
