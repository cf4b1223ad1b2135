package org.ferrymq.persistence;

import java.util.Set;

/**
 * The identity a session belongs to: the one that created it. Only that identity may resume or
 * take over the session; a client presenting another identity with the same client id is
 * refused (docs/security.md, "Session ownership").
 *
 * @param user the authenticated user name (or certificate/token principal); {@code null} for a
 *     session created by an anonymous client, which any anonymous client may resume
 * @param roles the roles the owner held when it last connected; used only for what the broker
 *     does in the owner's name while it is away (publishing its Will after a restart)
 */
public record SessionOwner(String user, Set<String> roles) {
  /** The owner of sessions created by anonymous clients. */
  public static final SessionOwner ANONYMOUS = new SessionOwner(null, Set.of());

  public SessionOwner {
    roles = Set.copyOf(roles);
  }

  public boolean isAnonymous() {
    return user == null;
  }

  /** @return the owner for logs: the user name, or "anonymous" */
  public String describe() {
    return user == null ? "anonymous" : "user '" + user + "'";
  }
}
