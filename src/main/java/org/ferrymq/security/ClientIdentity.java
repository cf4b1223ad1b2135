package org.ferrymq.security;

import java.util.Set;

/**
 * An authenticated client.
 *
 * @param clientId the client identifier
 * @param username the user (or certificate/token subject); {@code null} for anonymous clients
 * @param roles roles granted, used by topic ACLs
 */
public record ClientIdentity(String clientId, String username, Set<String> roles) {
  public ClientIdentity {
    roles = Set.copyOf(roles);
  }

  public static ClientIdentity anonymous(String clientId) {
    return new ClientIdentity(clientId, null, Set.of());
  }

  public boolean isAnonymous() {
    return username == null;
  }
}
