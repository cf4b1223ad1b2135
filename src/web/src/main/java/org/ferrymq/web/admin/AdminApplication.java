package org.ferrymq.web.admin;

import jakarta.annotation.security.DeclareRoles;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * Mounts the administration resources at {@code /api}. Liberty's {@code mpOpenAPI} feature
 * publishes their description at {@code /openapi} (and a browsable one at {@code /openapi/ui}).
 */
@ApplicationPath("/api")
@DeclareRoles(AdminApplication.ADMINISTRATOR)
@OpenAPIDefinition(info = @Info(title = "FerryMQ administration API", version = "1",
    description = "Clients and sessions, retained messages, publishing and bans of the running "
        + "broker. Every call but /api/me needs the administrator role (HTTP basic "
        + "authentication against Liberty's user registry; over HTTPS only in the secure "
        + "profile)."))
@SecurityScheme(securitySchemeName = AdminApplication.BASIC, type = SecuritySchemeType.HTTP,
    scheme = "basic")
public class AdminApplication extends Application {

  /** The role that may use the admin calls: clients, sessions, retained, publish, bans. */
  public static final String ADMINISTRATOR = "administrator";

  /** The OpenAPI name of the HTTP basic authentication the administrator calls need. */
  static final String BASIC = "basicAuth";
}
