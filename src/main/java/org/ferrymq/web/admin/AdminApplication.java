package org.ferrymq.web.admin;

import jakarta.annotation.security.DeclareRoles;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** Mounts the administration resources at {@code /api}. */
@ApplicationPath("/api")
@DeclareRoles(AdminApplication.ADMINISTRATOR)
public class AdminApplication extends Application {

  /** The role that may list and disconnect clients. */
  public static final String ADMINISTRATOR = "administrator";
}
