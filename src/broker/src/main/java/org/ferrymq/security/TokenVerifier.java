package org.ferrymq.security;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Validates bearer tokens (JWT): signature, issuer, audience and expiry. On Liberty the web module
 * installs one backed by MicroProfile JWT. Thread-safe.
 */
public interface TokenVerifier {

  /**
   * @param token the compact serialised token
   * @return what the token asserts
   * @throws InvalidTokenException when the token is not acceptable, with a reason for the log
   * @throws CredentialStoreUnavailableException when the keys cannot be obtained
   */
  VerifiedToken verify(String token) throws InvalidTokenException;

  /**
   * A valid token's claims.
   *
   * @param name the principal ({@code upn}, {@code preferred_username} or {@code sub})
   * @param groups the {@code groups} claim
   * @param expiresAt the {@code exp} claim
   */
  record VerifiedToken(String name, Set<String> groups, Instant expiresAt) {
    public VerifiedToken {
      Objects.requireNonNull(name, "name");
      groups = Set.copyOf(groups);
      Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }

  /** A token that was refused; the message says why and never contains the token. */
  final class InvalidTokenException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidTokenException(String message) {
      super(message);
    }
  }
}
