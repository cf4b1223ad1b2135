package org.ferrymq.web.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.ferrymq.security.CredentialStoreUnavailableException;
import org.ferrymq.security.TokenVerifier;

/**
 * Validates JWT passwords against the standard MicroProfile JWT verification settings, read
 * through MicroProfile Config (server.xml variables or environment variables):
 *
 * <ul>
 *   <li>{@code mp.jwt.verify.publickey.location}: a PEM public key or a JWKS, as a file path or
 *       an http(s) URL (a JWKS URL is fetched on first use, again after 10 minutes, and again
 *       when a token names a key id it lacks, at most once a minute; logins that need a fetch
 *       while one runs share it), or
 *       {@code mp.jwt.verify.publickey} with the key inline;</li>
 *   <li>{@code mp.jwt.verify.publickey.algorithm}: RS256 (default), RS384, RS512, ES256 or
 *       ES384; a token signed with any other algorithm, {@code none} and HMAC included, is
 *       refused;</li>
 *   <li>{@code mp.jwt.verify.issuer} and {@code mp.jwt.verify.audiences} (comma-separated):
 *       checked when set;</li>
 *   <li>{@code mp.jwt.verify.clock.skew}: seconds of tolerance on {@code exp}/{@code nbf}
 *       (default 60).</li>
 * </ul>
 *
 * Liberty's mpJwt feature applies these settings to HTTP requests only and offers no API for a
 * token that arrives in an MQTT CONNECT (MicroProfile JWT defines no parser; {@code JWTParser} is
 * SmallRye's), so the verification is done here with the JDK's signature algorithms and Jakarta
 * JSON Processing, following the same rules. The principal is {@code upn}, else {@code
 * preferred_username}, else {@code sub}; the roles are the {@code groups} claim.
 *
 * <p>Thread-safe: the settings are read when the web module starts; the keys are held by a
 * {@link KeyCache}. Called on the broker's credential-check threads, so a slow key fetch delays
 * only the logins that wait for it.
 */
@ApplicationScoped
public class JwtTokenVerifier implements TokenVerifier {

  private static final Duration JWKS_REFRESH = Duration.ofMinutes(10);
  /** Least age of the keys before an unknown key id (a rotated key) fetches them again. */
  private static final Duration JWKS_FORCED_REFRESH = Duration.ofMinutes(1);
  private static final Set<String> ALGORITHMS = Set.of("RS256", "RS384", "RS512", "ES256",
      "ES384");

  private volatile Settings settings;
  private volatile KeyCache<Map<String, PublicKey>> keys;
  private volatile ClassLoader applicationLoader;

  /** The verification settings in force. */
  private record Settings(String location, String inlineKey, String algorithm,
      Optional<String> issuer, Set<String> audiences, long skewSeconds) {
  }

  /**
   * Reads the settings with the web module's MicroProfile Config and loads a key file; called on
   * a container thread when the module starts.
   *
   * @return whether a verification key is configured
   */
  public boolean configure() {
    applicationLoader = Thread.currentThread().getContextClassLoader();
    Config config = ConfigProvider.getConfig(applicationLoader);
    String algorithm = config.getOptionalValue("mp.jwt.verify.publickey.algorithm", String.class)
        .orElse("RS256");
    if (!ALGORITHMS.contains(algorithm)) {
      throw new IllegalStateException("Invalid configuration 'mp.jwt.verify.publickey.algorithm':"
          + " '" + algorithm + "' is not one of " + ALGORITHMS);
    }
    Set<String> audiences = new HashSet<>();
    config.getOptionalValue("mp.jwt.verify.audiences", String.class).ifPresent(a -> {
      for (String one : a.split(",")) {
        if (!one.isBlank()) {
          audiences.add(one.strip());
        }
      }
    });
    settings = new Settings(
        config.getOptionalValue("mp.jwt.verify.publickey.location", String.class).orElse(null),
        config.getOptionalValue("mp.jwt.verify.publickey", String.class).orElse(null),
        algorithm,
        config.getOptionalValue("mp.jwt.verify.issuer", String.class),
        Set.copyOf(audiences),
        config.getOptionalValue("mp.jwt.verify.clock.skew", Long.class).orElse(60L));
    if (settings.location() == null && settings.inlineKey() == null) {
      return false;
    }
    boolean url = isUrl(settings.location());
    keys = new KeyCache<>(this::load, url ? JWKS_REFRESH.toNanos() : 0,
        url ? JWKS_FORCED_REFRESH.toNanos() : 0, System::nanoTime);
    if (!url) {
      // A key file or inline key is read once, now, so that a bad one shows at startup
      keys.keys();
    }
    return true;
  }

  @Override
  public VerifiedToken verify(String token) throws InvalidTokenException {
    Settings s = settings;
    if (s == null || s.location() == null && s.inlineKey() == null) {
      throw new InvalidTokenException("no verification key is configured "
          + "(mp.jwt.verify.publickey.location)");
    }
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(applicationLoader);
    try {
      return check(s, token);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private VerifiedToken check(Settings s, String token) throws InvalidTokenException {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw new InvalidTokenException("not a signed JWT (three parts)");
    }
    JsonObject header = json(parts[0], "header");
    String alg = header.getString("alg", "");
    if (!alg.equals(s.algorithm())) {
      throw new InvalidTokenException("algorithm '" + alg + "' is not the configured "
          + s.algorithm());
    }
    PublicKey key = keyFor(header.getString("kid", ""));
    if (!signatureValid(alg, key, parts)) {
      throw new InvalidTokenException("the signature does not verify");
    }
    JsonObject claims = json(parts[1], "payload");
    Instant now = Instant.now();
    long exp = number(claims, "exp");
    if (exp <= 0) {
      throw new InvalidTokenException("the token has no exp claim");
    }
    if (now.isAfter(Instant.ofEpochSecond(exp).plusSeconds(s.skewSeconds()))) {
      throw new InvalidTokenException("the token expired at " + Instant.ofEpochSecond(exp));
    }
    long nbf = number(claims, "nbf");
    if (nbf > 0 && now.plusSeconds(s.skewSeconds()).isBefore(Instant.ofEpochSecond(nbf))) {
      throw new InvalidTokenException("the token is not valid before " + Instant.ofEpochSecond(nbf));
    }
    if (s.issuer().isPresent() && !s.issuer().get().equals(string(claims, "iss"))) {
      throw new InvalidTokenException("the issuer is not " + s.issuer().get());
    }
    if (!s.audiences().isEmpty() && strings(claims, "aud").stream()
        .noneMatch(s.audiences()::contains)) {
      throw new InvalidTokenException("the audience is not one of " + s.audiences());
    }
    String name = Optional.ofNullable(string(claims, "upn"))
        .or(() -> Optional.ofNullable(string(claims, "preferred_username")))
        .orElse(string(claims, "sub"));
    if (name == null || name.isBlank()) {
      throw new InvalidTokenException("the token names no principal (upn, preferred_username, "
          + "sub)");
    }
    return new VerifiedToken(name, Set.copyOf(strings(claims, "groups")),
        Instant.ofEpochSecond(exp));
  }

  private PublicKey keyFor(String kid) throws InvalidTokenException {
    KeyCache<Map<String, PublicKey>> cache = keys;
    Map<String, PublicKey> byId = cache.keys();
    PublicKey key = pick(byId, kid);
    if (key == null) {
      key = pick(cache.keysWithout(byId), kid);
    }
    if (key == null) {
      throw new InvalidTokenException("no verification key with kid '" + kid + "'");
    }
    return key;
  }

  /**
   * @return the key with the id; else the only key, when the token names no key id or the
   *     source names none, so that a token naming a rotated key id is not checked against an
   *     older key but fetches the keys again
   */
  private static PublicKey pick(Map<String, PublicKey> byId, String kid) {
    PublicKey key = byId.get(kid);
    if (key == null && byId.size() == 1 && (kid.isEmpty() || byId.containsKey(""))) {
      key = byId.values().iterator().next();
    }
    return key;
  }

  private static boolean signatureValid(String alg, PublicKey key, String[] parts)
      throws InvalidTokenException {
    String jca = switch (alg) {
      case "RS256" -> "SHA256withRSA";
      case "RS384" -> "SHA384withRSA";
      case "RS512" -> "SHA512withRSA";
      case "ES256" -> "SHA256withECDSAinP1363Format";
      default -> "SHA384withECDSAinP1363Format";
    };
    try {
      Signature signature = Signature.getInstance(jca);
      signature.initVerify(key);
      signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      return signature.verify(Base64.getUrlDecoder().decode(parts[2]));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new InvalidTokenException("the signature cannot be checked: " + e.getMessage());
    }
  }

  private Map<String, PublicKey> load() {
    Settings s = settings;
    String text;
    try {
      if (s.inlineKey() != null) {
        text = s.inlineKey();
      } else if (isUrl(s.location())) {
        text = fetch(URI.create(s.location()));
      } else {
        text = Files.readString(Path.of(s.location().replaceFirst("^file:", "")));
      }
      return parseKeys(text.strip());
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new CredentialStoreUnavailableException("cannot load the JWT verification key from "
          + (s.inlineKey() != null ? "mp.jwt.verify.publickey" : s.location()) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CredentialStoreUnavailableException("interrupted loading the JWT key", e);
    }
  }

  /**
   * Fetches a key document: 5 s to connect, 10 s for the answer.
   *
   * @throws IOException on a network failure or a status other than 200
   */
  static String fetch(URI location) throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(5)).build()
        .send(HttpRequest.newBuilder(location).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("HTTP " + response.statusCode());
    }
    return response.body();
  }

  private static Map<String, PublicKey> parseKeys(String text) throws GeneralSecurityException {
    Map<String, PublicKey> result = new LinkedHashMap<>();
    if (text.startsWith("-----BEGIN PUBLIC KEY-----")) {
      byte[] der = Base64.getMimeDecoder().decode(text
          .replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", ""));
      X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
      PublicKey key;
      try {
        key = KeyFactory.getInstance("RSA").generatePublic(spec);
      } catch (GeneralSecurityException notRsa) {
        key = KeyFactory.getInstance("EC").generatePublic(spec);
      }
      result.put("", key);
      return result;
    }
    JsonObject jwks;
    try (JsonReader reader = Json.createReader(new StringReader(text))) {
      jwks = reader.readObject();
    }
    List<JsonObject> list = jwks.containsKey("keys")
        ? jwks.getJsonArray("keys").getValuesAs(JsonObject.class) : List.of(jwks);
    Base64.Decoder b64 = Base64.getUrlDecoder();
    for (JsonObject jwk : list) {
      if ("RSA".equals(jwk.getString("kty", ""))) {
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
            new BigInteger(1, b64.decode(jwk.getString("n"))),
            new BigInteger(1, b64.decode(jwk.getString("e")))));
        result.put(jwk.getString("kid", ""), key);
      }
    }
    if (result.isEmpty()) {
      throw new GeneralSecurityException("no RSA key in the JWKS");
    }
    return result;
  }

  private static JsonObject json(String part, String what) throws InvalidTokenException {
    try (JsonReader reader = Json.createReader(new StringReader(
        new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8)))) {
      return reader.readObject();
    } catch (IllegalArgumentException | JsonException | ClassCastException e) {
      throw new InvalidTokenException("the " + what + " is not base64url JSON");
    }
  }

  private static long number(JsonObject claims, String name) {
    JsonValue v = claims.get(name);
    return v instanceof JsonNumber n ? n.longValue() : 0;
  }

  private static String string(JsonObject claims, String name) {
    JsonValue v = claims.get(name);
    return v instanceof JsonString s ? s.getString() : null;
  }

  private static List<String> strings(JsonObject claims, String name) {
    JsonValue v = claims.get(name);
    if (v instanceof JsonString s) {
      return List.of(s.getString());
    }
    if (v instanceof JsonArray a) {
      return a.stream().filter(JsonString.class::isInstance)
          .map(x -> ((JsonString) x).getString()).toList();
    }
    return List.of();
  }

  private static boolean isUrl(String location) {
    return location != null && (location.startsWith("http://") || location.startsWith("https://"));
  }
}
