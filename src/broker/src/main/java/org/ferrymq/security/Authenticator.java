package org.ferrymq.security;

/**
 * Decides whether a CONNECT without an MQTT 5 Authentication Method is accepted. Called off the
 * session lanes, on the broker's credential-check threads, when {@link #mayBlock} says so;
 * implementations must be thread-safe.
 */
@FunctionalInterface
public interface Authenticator {

  /** Accepts everyone as anonymous (or as the user name given); the dev profile's default. */
  Authenticator ALLOW_ALL = new Authenticator() {
    @Override
    public AuthenticationResult authenticate(ConnectRequest request) {
      return new AuthenticationResult.Success(
          new ClientIdentity(request.clientId(), request.username(), java.util.Set.of()));
    }

    @Override
    public boolean mayBlock(ConnectRequest request) {
      return false;
    }
  };

  /**
   * @param request the presented credentials
   * @return success with the identity, or failure with the CONNACK reason code
   */
  AuthenticationResult authenticate(ConnectRequest request);

  /**
   * Whether checking this request may wait for I/O (a user registry, LDAP, a key fetch). The
   * engine then runs {@link #authenticate} on its credential-check threads instead of the
   * session lane; a check that only computes runs on the lane, saving two thread hand-offs.
   *
   * @param request the presented credentials
   * @return true unless the check is certain to be quick; true by default
   */
  default boolean mayBlock(ConnectRequest request) {
    return true;
  }

  /**
   * Whether the transport itself disqualifies the CONNECT, whatever the credentials and however
   * they are presented (password, certificate, or an MQTT 5 Authentication Method such as
   * SCRAM, which does not go through {@link #authenticate}): the secure profile's TLS-only rule.
   * Called on the lane; must not block.
   *
   * @param request the connection's facts
   * @return the refusal, or null when the transport is acceptable; null by default
   */
  default AuthenticationResult.Failure refusesTransport(ConnectRequest request) {
    return null;
  }
}
