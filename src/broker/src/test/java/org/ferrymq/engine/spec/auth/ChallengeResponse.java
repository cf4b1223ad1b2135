package org.ferrymq.engine.spec.auth;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.security.ClientIdentity;
import org.ferrymq.security.ConnectRequest;
import org.ferrymq.security.EnhancedAuthenticator;

/**
 * A deterministic enhanced authentication method for tests: the client names itself in CONNECT,
 * the server answers with a challenge "nonce-&lt;name&gt;", and the client must return the
 * challenge reversed. Deterministic also so that the connection fuzzer can learn it.
 */
public final class ChallengeResponse implements EnhancedAuthenticator {
  /** The Authentication Method. */
  public static final String METHOD = "TEST-CHALLENGE";

  @Override
  public String method() {
    return METHOD;
  }

  @Override
  public Exchange start(ConnectRequest request) {
    return new Exchange() {
      private String expected;
      private String user;

      @Override
      public AuthStep next(byte[] clientData) {
        String data = new String(clientData, StandardCharsets.UTF_8);
        if (expected == null) {
          user = data;
          String challenge = "nonce-" + data;
          expected = new StringBuilder(challenge).reverse().toString();
          return new AuthStep.Continue(bytes(challenge));
        }
        if (!expected.equals(data)) {
          return new AuthStep.Failure(ReasonCode.NOT_AUTHORIZED, "wrong response");
        }
        return new AuthStep.Success(new ClientIdentity(request.clientId(), user, Set.of()),
            bytes("welcome " + user));
      }
    };
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
