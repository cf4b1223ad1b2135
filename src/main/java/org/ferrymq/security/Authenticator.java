package org.ferrymq.security;

/** Decides whether a CONNECT without an MQTT 5 Authentication Method is accepted. */
@FunctionalInterface
public interface Authenticator {

  /** Accepts everyone as anonymous (or as the user name given); the dev profile's default. */
  Authenticator ALLOW_ALL = request -> new AuthenticationResult.Success(
      new ClientIdentity(request.clientId(), request.username(), java.util.Set.of()));

  /**
   * @param request the presented credentials
   * @return success with the identity, or failure with the CONNACK reason code
   */
  AuthenticationResult authenticate(ConnectRequest request);
}
