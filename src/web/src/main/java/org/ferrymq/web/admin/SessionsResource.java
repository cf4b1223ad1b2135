package org.ferrymq.web.admin;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Deletes sessions: the client is disconnected and nothing of its session stays. */
@Path("sessions")
@RolesAllowed(AdminApplication.ADMINISTRATOR)
@Tag(name = "clients", description = "Sessions and connections of MQTT clients")
@SecurityRequirement(name = AdminApplication.BASIC)
public class SessionsResource {

  /**
   * The result of a session deletion.
   *
   * @param clientId the client whose session was deleted
   * @param deleted always true: an unknown client id gives 404
   */
  public record Deleted(String clientId, boolean deleted) {
  }

  /**
   * Disconnects the client if connected and deletes its session on the session's lane.
   *
   * @param clientId the client identifier; it may contain '/'
   * @return the deleted session's client id
   */
  @DELETE
  @Path("{clientId: .+}")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Disconnects the client if connected (MQTT 5: DISCONNECT 0x98) and deletes "
      + "its session: subscriptions, queued messages and the stored record; a held Will is "
      + "published as at any session end")
  @APIResponse(responseCode = "200", description = "Deleted")
  @APIResponse(responseCode = "404", description = "No session with that client id")
  @APIResponse(responseCode = "401", description = "No credentials")
  @APIResponse(responseCode = "403", description = "Not an administrator")
  public Deleted delete(@PathParam("clientId") String clientId) {
    if (!RunningBroker.await(RunningBroker.get().deleteSession(clientId))) {
      throw Problem.notFound("No session for client '" + clientId + "'");
    }
    return new Deleted(clientId, true);
  }
}
