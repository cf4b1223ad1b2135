package org.ferrymq.web.admin;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import java.security.Principal;
import java.util.List;

/**
 * Tells the dashboard who the caller is, so it shows administrative controls only to
 * administrators. Open to everyone: an anonymous caller gets {@code user: null} and no roles,
 * never a 401, so the page can ask without a browser login dialog.
 */
@Path("me")
@PermitAll
@Tag(name = "session", description = "Who the caller is")
public class MeResource {

  /**
   * The caller as the dashboard sees it.
   *
   * @param user the authenticated user name, {@code null} when anonymous
   * @param roles the dashboard roles the user holds
   */
  public record Me(String user, List<String> roles) {
  }

  /** @return the caller's name and roles */
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "The caller's user name and dashboard roles; anonymous callers get none")
  public Me me(@Context SecurityContext security) {
    Principal principal = security.getUserPrincipal();
    if (principal == null) {
      return new Me(null, List.of());
    }
    boolean admin = security.isUserInRole(AdminApplication.ADMINISTRATOR);
    return new Me(principal.getName(), admin ? List.of(AdminApplication.ADMINISTRATOR) : List.of());
  }
}
