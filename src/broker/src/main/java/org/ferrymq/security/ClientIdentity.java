package org.ferrymq.security;

import java.time.Instant;
import java.util.Set;

/**
 * An authenticated client.
 *
 * @param clientId the client identifier
 * @param username the user (or certificate/token subject); {@code null} for anonymous clients
 * @param roles roles granted, used by topic ACLs
 * @param expiresAt when the credentials stop being valid (a token's expiry), after which the
 *     broker disconnects the client (MQTT 5: DISCONNECT 0x87); {@code null} for never
 */
public record ClientIdentity(String clientId, String username, Set<String> roles,
    Instant expiresAt) {
  public ClientIdentity {
    roles = Set.copyOf(roles);
  }

  /** An identity whose credentials do not expire. */
  public ClientIdentity(String clientId, String username, Set<String> roles) {
    this(clientId, username, roles, null);
  }

  public static ClientIdentity anonymous(String clientId) {
    return new ClientIdentity(clientId, null, Set.of());
  }

  public boolean isAnonymous() {
    return username == null;
  }

  /** @return whether the credentials have expired at {@code now} */
  public boolean expiredAt(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }
}
