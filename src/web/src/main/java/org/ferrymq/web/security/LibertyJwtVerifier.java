package org.ferrymq.web.security;

import com.ibm.websphere.security.jwt.Claims;
import com.ibm.websphere.security.jwt.InvalidConsumerException;
import com.ibm.websphere.security.jwt.JwtConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import org.ferrymq.security.CredentialStoreUnavailableException;
import org.ferrymq.security.TokenVerifier;

/**
 * Validates JWT passwords with Liberty's JWT consumer ({@code jwt-1.0}): the {@code
 * <jwtConsumer id="ferrymq-mqtt">} element of server.xml holds the key source (a JWKS URL, or a
 * public key in a Liberty key store), the signature algorithm, the trusted issuer and audiences
 * and the clock skew, and Liberty checks signature, {@code exp}, {@code nbf}, {@code iss} and
 * {@code aud}. A token whose key id the cached JWKS lacks makes Liberty fetch the JWKS again at
 * once, so a rotated signing key is accepted without waiting; the fetch uses Liberty's SSL
 * configuration ({@code sslRef}).
 *
 * <p>The principal is {@code upn}, else {@code preferred_username}, else {@code sub}; the roles
 * are the {@code groups} claim (MicroProfile JWT's names).
 *
 * <p>Thread-safe. Called on the broker's credential-check threads, never on a session lane, so a
 * slow key fetch delays only the logins that wait for it.
 */
@ApplicationScoped
public class LibertyJwtVerifier implements TokenVerifier {

  /** The id of the {@code jwtConsumer} element in liberty/server.xml. */
  public static final String CONSUMER_ID = "ferrymq-mqtt";

  @Override
  public VerifiedToken verify(String token) throws InvalidTokenException {
    Claims claims;
    try {
      claims = JwtConsumer.create(CONSUMER_ID).createJwt(token).getClaims();
    } catch (InvalidConsumerException e) {
      throw new CredentialStoreUnavailableException("Liberty has no usable jwtConsumer '"
          + CONSUMER_ID + "' (is the jwt-1.0 feature enabled?): " + e.getMessage(), e);
    } catch (com.ibm.websphere.security.jwt.InvalidTokenException e) {
      // Liberty's message names the check that failed (CWWKS6xxxE) and never the token
      throw new InvalidTokenException(e.getMessage());
    }
    long exp = claims.getExpiration();
    if (exp <= 0) {
      throw new InvalidTokenException("the token has no exp claim");
    }
    String name = firstText(claims, "upn", "preferred_username", Claims.SUBJECT);
    if (name == null) {
      throw new InvalidTokenException("the token names no principal (upn, preferred_username, "
          + "sub)");
    }
    return new VerifiedToken(name, groups(claims.get("groups")), Instant.ofEpochSecond(exp));
  }

  private static String firstText(Claims claims, String... names) {
    for (String n : names) {
      if (claims.get(n) instanceof String s && !s.isBlank()) {
        return s;
      }
    }
    return null;
  }

  /** The {@code groups} claim: an array of strings, or one string. */
  private static Set<String> groups(Object claim) {
    Set<String> out = new LinkedHashSet<>();
    if (claim instanceof String s) {
      out.add(s);
    } else if (claim instanceof Collection<?> values) {
      for (Object v : values) {
        if (v instanceof String s) {
          out.add(s);
        }
      }
    }
    return out;
  }
}
