package org.ferrymq.web.admin;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.ferrymq.engine.ClientSummary;
import org.ferrymq.engine.MqttBroker;

/** The broker's sessions for the dashboard's clients view, and the administrative disconnect. */
@Path("clients")
@RolesAllowed(AdminApplication.ADMINISTRATOR)
@Tag(name = "clients", description = "Sessions and connections of MQTT clients")
@SecurityRequirement(name = AdminApplication.BASIC)
public class ClientsResource {

  /**
   * One session as JSON.
   *
   * @param clientId the client identifier
   * @param connected whether a network connection is attached
   * @param transport tcp, tls, ws, wss or local; {@code null} while offline
   * @param protocol "3.1", "3.1.1" or "5"
   * @param connectedSince when the current connection was accepted; {@code null} while offline
   * @param subscriptions number of subscriptions
   * @param queued messages waiting for delivery, unacknowledged ones included
   * @param username the authenticated user, {@code null} when anonymous
   */
  public record ClientView(String clientId, boolean connected, String transport, String protocol,
      Instant connectedSince, int subscriptions, int queued, String username) {

    static ClientView of(ClientSummary s) {
      String protocol = switch (s.version()) {
        case MQTT_3_1 -> "3.1";
        case MQTT_3_1_1 -> "3.1.1";
        case MQTT_5 -> "5";
      };
      String transport = s.transport() == null ? null : s.transport().name().toLowerCase();
      return new ClientView(s.clientId(), s.connected(), transport, protocol, s.connectedSince(),
          s.subscriptions(), s.queuedMessages(), s.username());
    }
  }

  /**
   * The result of a disconnect request.
   *
   * @param clientId the client asked for
   * @param disconnected always true: a client that was not connected gives 404
   */
  public record Disconnected(String clientId, boolean disconnected) {
  }

  /** @return every known session, connected ones first, then by client id */
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Every session the broker keeps, connected ones first")
  @APIResponse(responseCode = "200", description = "The sessions")
  @APIResponse(responseCode = "401", description = "No credentials")
  @APIResponse(responseCode = "403", description = "Not an administrator")
  public List<ClientView> clients() {
    return broker().clients().stream().map(ClientView::of)
        .sorted(Comparator.comparing(ClientView::connected).reversed()
            .thenComparing(ClientView::clientId))
        .toList();
  }

  /**
   * Disconnects a connected client (MQTT 5 clients get DISCONNECT 0x98, administrative action).
   * The session itself stays, as after any other disconnect.
   *
   * @param clientId the client identifier; it may contain '/'
   * @return the client that was disconnected
   * @throws NotFoundException when no client with that id is connected
   */
  @POST
  @Path("{clientId: .+}/disconnect")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Disconnects a connected client (MQTT 5: DISCONNECT 0x98 "
      + "Administrative action); its session stays as its expiry says")
  @APIResponse(responseCode = "200", description = "Disconnected")
  @APIResponse(responseCode = "404", description = "No client with that id is connected")
  @APIResponse(responseCode = "401", description = "No credentials")
  @APIResponse(responseCode = "403", description = "Not an administrator")
  public Disconnected disconnect(@PathParam("clientId") String clientId) {
    if (!broker().disconnect(clientId)) {
      throw new NotFoundException("No connected client '" + clientId + "'");
    }
    return new Disconnected(clientId, true);
  }

  /**
   * One session in detail, read on its lane.
   *
   * @param clientId the client identifier; it may contain '/'
   * @return the session with its subscriptions
   */
  @GET
  @Path("{clientId: .+}")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "One session: connection, identity, session expiry, queued and in-flight "
      + "messages, and its subscriptions with their options")
  @APIResponse(responseCode = "200", description = "The session")
  @APIResponse(responseCode = "404", description = "No session with that client id")
  @APIResponse(responseCode = "401", description = "No credentials")
  @APIResponse(responseCode = "403", description = "Not an administrator")
  public ClientDetailView client(@PathParam("clientId") String clientId) {
    return RunningBroker.await(broker().client(clientId)).map(ClientDetailView::of)
        .orElseThrow(() -> Problem.notFound("No session for client '" + clientId + "'"));
  }

  private static MqttBroker broker() {
    return RunningBroker.get();
  }
}
