package org.ferrymq.security;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.config.SecurityConfig;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.transport.TransportKind;

/**
 * The broker's authenticator: client certificate, then JWT password, then user name and password
 * against the {@link UserDirectory}, then anonymous (dev profile only).
 *
 * <ul>
 *   <li>A verified client certificate (TLS listener with client authentication) makes its subject
 *       attribute ({@code mqtt.tls.identity-attribute}, CN by default) the user name; roles are
 *       the user's groups in the directory. User name and password are then ignored.</li>
 *   <li>With {@code mqtt.jwt.enabled}, a password that is a compact JWT is validated by the
 *       {@link TokenVerifier}; the token's principal is the user, its {@code groups} the roles,
 *       and its expiry ends the connection when {@code mqtt.jwt.disconnect-on-expiry} is set.</li>
 *   <li>Otherwise a user name needs the right password (0x86 / return code 4 if not); the
 *       identity is the directory's canonical name of the user, not the name as typed.</li>
 *   <li>No credentials: accepted as anonymous in the dev profile, refused with 0x87 / return
 *       code 5 in the secure profile, which also refuses non-TLS transports.</li>
 * </ul>
 *
 * <p>The directory and token verifier live in the web module, which installs them once it has
 * started ({@link #install}). Until then, credentials get 0x88 Server unavailable (return code 3),
 * and in the secure profile everyone does: the authenticator fails closed.
 *
 * <p>Thread-safe: the installed backends are swapped atomically; passwords are decoded into a
 * char array that is wiped after the check, and never logged.
 */
public final class BrokerAuthenticator implements Authenticator {

  private static final Logger LOG = Logger.getLogger(BrokerAuthenticator.class.getName());

  private final SecurityConfig config;
  private final AtomicReference<Backends> backends = new AtomicReference<>();

  /**
   * The credential checks installed from the web module.
   *
   * @param directory the user registry
   * @param tokens the JWT validator
   */
  public record Backends(UserDirectory directory, TokenVerifier tokens) {
    public Backends {
      java.util.Objects.requireNonNull(directory, "directory");
      java.util.Objects.requireNonNull(tokens, "tokens");
    }
  }

  public BrokerAuthenticator(SecurityConfig config) {
    this.config = config;
  }

  /** Makes credential checks possible; replaces any earlier backends. */
  public void install(Backends value) {
    backends.set(java.util.Objects.requireNonNull(value));
  }

  /** Withdraws the backends (the web module stopped); credentials get 0x88 again. */
  public void uninstall(Backends expected) {
    backends.compareAndSet(expected, null);
  }

  /** @return whether the backends are installed */
  public boolean isReady() {
    return backends.get() != null;
  }

  /** Only the user registry and the token verifier (its key fetch) may wait for I/O. */
  @Override
  public boolean mayBlock(ConnectRequest request) {
    TransportKind kind = request.transport().kind();
    if (config.requiresTls() && !kind.isSecure() && kind != TransportKind.LOCAL
        || backends.get() == null) {
      return false;
    }
    return !request.transport().peerCertificates().isEmpty() || request.username() != null
        || request.password() != null;
  }

  @Override
  public AuthenticationResult.Failure refusesTransport(ConnectRequest request) {
    TransportKind kind = request.transport().kind();
    if (config.requiresTls() && !kind.isSecure() && kind != TransportKind.LOCAL) {
      return new AuthenticationResult.Failure(ReasonCode.NOT_AUTHORIZED,
          "the secure profile accepts TLS connections only");
    }
    return null;
  }

  @Override
  public AuthenticationResult authenticate(ConnectRequest request) {
    AuthenticationResult.Failure transport = refusesTransport(request);
    if (transport != null) {
      return transport;
    }
    Backends b = backends.get();
    if (b == null && !config.allowsAnonymous()) {
      return refuse(ReasonCode.SERVER_UNAVAILABLE, request,
          "the user registry is not available yet");
    }
    try {
      List<X509Certificate> chain = request.transport().peerCertificates();
      if (!chain.isEmpty()) {
        return certificate(b, request, chain.get(0));
      }
      if (request.username() == null && request.password() == null) {
        return config.allowsAnonymous()
            ? new AuthenticationResult.Success(ClientIdentity.anonymous(request.clientId()))
            : refuse(ReasonCode.NOT_AUTHORIZED, request,
                "anonymous clients are not allowed in the secure profile");
      }
      if (b == null) {
        return refuse(ReasonCode.SERVER_UNAVAILABLE, request,
            "the user registry is not available yet");
      }
      if (request.password() == null) {
        return refuse(ReasonCode.BAD_USER_NAME_OR_PASSWORD, request, "no password given");
      }
      if (config.jwtEnabled() && looksLikeJwt(request.password())) {
        return token(b, request);
      }
      if (request.username() == null) {
        return refuse(ReasonCode.BAD_USER_NAME_OR_PASSWORD, request,
            "a password without a user name");
      }
      return password(b, request);
    } catch (CredentialStoreUnavailableException e) {
      LOG.log(Level.WARNING, "Cannot check the credentials of client '" + request.clientId()
          + "': " + e.getMessage());
      return new AuthenticationResult.Failure(ReasonCode.SERVER_UNAVAILABLE,
          "credential store unavailable");
    }
  }

  private AuthenticationResult certificate(Backends b, ConnectRequest request,
      X509Certificate leaf) {
    String name = CertificateNames.attribute(leaf, config.identityAttribute());
    if (name == null) {
      return refuse(ReasonCode.NOT_AUTHORIZED, request, "the client certificate's subject has no "
          + config.identityAttribute());
    }
    Set<String> groups = b == null ? Set.of() : b.directory().groupsOf(name);
    return new AuthenticationResult.Success(
        new ClientIdentity(request.clientId(), name, groups));
  }

  private AuthenticationResult token(Backends b, ConnectRequest request) {
    String jwt = new String(request.password(), StandardCharsets.US_ASCII);
    try {
      TokenVerifier.VerifiedToken verified = b.tokens().verify(jwt);
      return new AuthenticationResult.Success(new ClientIdentity(request.clientId(),
          verified.name(), verified.groups(),
          config.jwtDisconnectOnExpiry() ? verified.expiresAt() : null));
    } catch (TokenVerifier.InvalidTokenException e) {
      return refuse(ReasonCode.BAD_USER_NAME_OR_PASSWORD, request,
          "token refused: " + e.getMessage());
    }
  }

  private AuthenticationResult password(Backends b, ConnectRequest request) {
    char[] password = decode(request.password());
    if (password == null) {
      return refuse(ReasonCode.BAD_USER_NAME_OR_PASSWORD, request, "the password is not UTF-8");
    }
    try {
      Optional<UserDirectory.Account> account =
          b.directory().authenticate(request.username(), password);
      if (account.isEmpty()) {
        return refuse(ReasonCode.BAD_USER_NAME_OR_PASSWORD, request,
            "wrong user name or password for user '" + request.username() + "'");
      }
      // The identity carries the registry's name, never the spelling the client typed: ACL
      // rules name users as the registry does, and 'ALICE' must not escape 'user alice'
      String canonical = account.get().name();
      if (!canonical.equals(request.username())) {
        LOG.fine(() -> "Client '" + request.clientId() + "' logged in as '" + request.username()
            + "', the registry's user '" + canonical + "'");
      }
      return new AuthenticationResult.Success(
          new ClientIdentity(request.clientId(), canonical, account.get().groups()));
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  /** @return whether the bytes have the shape of a compact JWS: three base64url parts */
  static boolean looksLikeJwt(byte[] password) {
    if (password.length < 10 || password[0] != 'e' || password[1] != 'y') {
      return false;
    }
    int dots = 0;
    for (byte c : password) {
      if (c == '.') {
        dots++;
      } else if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
          || c == '-' || c == '_')) {
        return false;
      }
    }
    return dots == 2;
  }

  private static char[] decode(byte[] bytes) {
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      char[] result = new char[chars.remaining()];
      chars.get(result);
      Arrays.fill(chars.array(), '\0');
      return result;
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** The engine logs the refusal with the peer address and this reason. */
  private static AuthenticationResult refuse(ReasonCode code, ConnectRequest request,
      String why) {
    return new AuthenticationResult.Failure(code, why);
  }
}
