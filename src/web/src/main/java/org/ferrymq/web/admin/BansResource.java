package org.ferrymq.web.admin;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.ferrymq.security.ban.Ban;
import org.ferrymq.security.ban.BanKind;

/**
 * Bans on client ids, user names and addresses (IPv4/IPv6, single or CIDR): refused at CONNECT
 * with 0x8A Banned (MQTT 3.1.1: return code 5), kept in {@code bans.txt} in the broker's data
 * directory across restarts; adding one disconnects the connected clients it matches.
 */
@Path("bans")
@RolesAllowed(AdminApplication.ADMINISTRATOR)
@Tag(name = "bans", description = "Banned client ids, user names and addresses")
@SecurityRequirement(name = AdminApplication.BASIC)
public class BansResource {

  /**
   * A ban as JSON, and the body that adds one ({@code createdAt} is then ignored).
   *
   * @param kind {@code clientId}, {@code username} or {@code address}
   * @param value the client id or user name (exact), or an address or CIDR range
   * @param reason why, for operators; optional
   * @param createdAt when it was added
   */
  public record BanView(String kind, String value, String reason, Instant createdAt) {
    static BanView of(Ban b) {
      return new BanView(b.kind().label(), b.value(), b.reason(), b.createdAt());
    }
  }

  /**
   * The result of lifting a ban.
   *
   * @param kind the ban's kind
   * @param value the ban's value
   * @param removed always true: an unknown ban gives 404
   */
  public record Removed(String kind, String value, boolean removed) {
  }

  /** @return the bans in force, by kind, then value */
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "The bans in force")
  @APIResponse(responseCode = "200", description = "The bans")
  @APIResponse(responseCode = "401", description = "No credentials")
  @APIResponse(responseCode = "403", description = "Not an administrator")
  public List<BanView> bans() {
    return RunningBroker.get().bans().stream().map(BanView::of).toList();
  }

  /** @return 201 with the ban added */
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Bans a client id, user name or address (or CIDR range), stores the list "
      + "and disconnects the connected clients it matches (MQTT 5: DISCONNECT 0x98 "
      + "Administrative action, reason string 'banned'); "
      + "the same kind and value again replaces the reason")
  @APIResponse(responseCode = "201", description = "Banned")
  @APIResponse(responseCode = "400", description = "The body names the invalid field")
  @APIResponse(responseCode = "401", description = "No credentials")
  @APIResponse(responseCode = "403", description = "Not an administrator")
  public Response ban(BanView request) {
    if (request == null) {
      throw Problem.badRequest("a JSON body {kind, value, reason} is needed");
    }
    Ban ban;
    try {
      ban = new Ban(BanKind.of(request.kind()), request.value(), request.reason(), Instant.now());
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest(e.getMessage());
    }
    RunningBroker.get().ban(ban);
    return Response.status(Response.Status.CREATED).entity(BanView.of(ban)).build();
  }

  /**
   * @param kind {@code clientId}, {@code username} or {@code address}
   * @param value the banned value; a CIDR range keeps its '/'
   * @return the ban lifted
   */
  @DELETE
  @Path("{kind}/{value: .+}")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Lifts a ban")
  @APIResponse(responseCode = "200", description = "Lifted")
  @APIResponse(responseCode = "400", description = "Unknown kind")
  @APIResponse(responseCode = "404", description = "No such ban")
  @APIResponse(responseCode = "401", description = "No credentials")
  @APIResponse(responseCode = "403", description = "Not an administrator")
  public Removed unban(@PathParam("kind") String kind, @PathParam("value") String value) {
    BanKind parsed;
    try {
      parsed = BanKind.of(kind);
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest(e.getMessage());
    }
    if (!RunningBroker.get().unban(parsed, value)) {
      throw Problem.notFound("No " + parsed.label() + " ban on '" + value + "'");
    }
    return new Removed(parsed.label(), value, true);
  }
}
