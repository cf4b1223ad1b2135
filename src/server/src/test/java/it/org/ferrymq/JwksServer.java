package it.org.ferrymq;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The token issuer of the integration tests: its JWKS endpoint is where the server's JWT
 * consumer fetches verification keys ({@code MQTT_JWT_JWKS_URL} in pom.xml points at {@code
 * it.jwks.port}), served from the test JVM so that a test can rotate the signing key or make a
 * fetch hang. Keys are EC P-256 (ES256), made when the server starts; {@link #rotate} adds one.
 * One instance per JVM, started by the first test that needs it.
 */
final class JwksServer {

  static final String ISSUER = "https://issuer.it.ferrymq";
  private static JwksServer shared;

  /** Served newest last; tokens are signed with the newest. */
  private final List<SigningKey> keys = new ArrayList<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private final AtomicInteger hanging = new AtomicInteger();
  private volatile Duration hang = Duration.ZERO;
  private volatile CountDownLatch hangRelease = new CountDownLatch(0);

  private JwksServer() throws GeneralSecurityException {
    keys.add(SigningKey.generate());
  }

  /**
   * One signing key of the issuer.
   *
   * @param kid its key id, in the JWKS and in the header of the tokens it signs
   * @param pair the P-256 key pair
   */
  record SigningKey(String kid, KeyPair pair) {

    static SigningKey generate() throws GeneralSecurityException {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return new SigningKey("it-" + UUID.randomUUID(), generator.generateKeyPair());
    }

    /**
     * An ES256 token for carol in group sensors [RFC 7518 3.4: the signature is R || S].
     *
     * @param audience the {@code aud} claim
     * @param expiry the {@code exp} claim
     */
    String token(String audience, Instant expiry) throws GeneralSecurityException {
      Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
      String header = b64.encodeToString(("{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\""
          + kid + "\"}").getBytes(StandardCharsets.UTF_8));
      String claims = b64.encodeToString(("{\"iss\":\"" + ISSUER + "\",\"aud\":\"" + audience
          + "\",\"upn\":\"carol\",\"groups\":[\"sensors\"],\"iat\":"
          + Instant.now().getEpochSecond() + ",\"exp\":" + expiry.getEpochSecond() + "}")
          .getBytes(StandardCharsets.UTF_8));
      Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format");
      es256.initSign(pair.getPrivate());
      es256.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
      return header + "." + claims + "." + b64.encodeToString(es256.sign());
    }

    /** Another key pair under this key id: a stranger who claims to be this issuer. */
    SigningKey impostor() throws GeneralSecurityException {
      return new SigningKey(kid, generate().pair());
    }

    private String jwk() {
      ECPublicKey pub = (ECPublicKey) pair.getPublic();
      Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
      return "{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"sig\",\"alg\":\"ES256\",\"kid\":\""
          + kid + "\",\"x\":\"" + b64.encodeToString(coordinate(pub.getW().getAffineX()))
          + "\",\"y\":\"" + b64.encodeToString(coordinate(pub.getW().getAffineY())) + "\"}";
    }

    /** A P-256 coordinate as exactly 32 big-endian bytes [RFC 7518 6.2.1.2]. */
    private static byte[] coordinate(BigInteger value) {
      byte[] bytes = value.toByteArray();
      byte[] out = new byte[32];
      int n = Math.min(bytes.length, 32);
      System.arraycopy(bytes, bytes.length - n, out, 32 - n, n);
      return out;
    }
  }

  /** @return the running server, started on first use on the port the build reserved */
  static synchronized JwksServer shared() throws Exception {
    if (shared == null) {
      JwksServer server = new JwksServer();
      HttpServer http = HttpServer.create(new InetSocketAddress(
          InetAddress.getByName("127.0.0.1"), Integer.getInteger("it.jwks.port")), 0);
      http.setExecutor(Executors.newCachedThreadPool(task -> {
        Thread t = new Thread(task, "it-jwks");
        t.setDaemon(true);
        return t;
      }));
      http.createContext("/jwks.json", server::serve);
      http.start();
      shared = server;
    }
    return shared;
  }

  /** @return the key tokens are signed with now */
  synchronized SigningKey current() {
    return keys.get(keys.size() - 1);
  }

  /**
   * A key rotation: a new signing key, with a new key id, served beside the old ones from the
   * next fetch on.
   *
   * @return the new key
   */
  synchronized SigningKey rotate() throws GeneralSecurityException {
    SigningKey next = SigningKey.generate();
    keys.add(next);
    return next;
  }

  /** The next fetches wait this long (or until {@link #endHang}) before they are answered. */
  void hangFetches(Duration duration) {
    hangRelease = new CountDownLatch(1);
    hang = duration;
  }

  /** Answers the held fetches now, and later ones at once. */
  void endHang() {
    hang = Duration.ZERO;
    hangRelease.countDown();
  }

  /** @return fetches received so far */
  int fetches() {
    return fetches.get();
  }

  /** @return fetches being held right now */
  int hanging() {
    return hanging.get();
  }

  private void serve(HttpExchange exchange) throws IOException {
    fetches.incrementAndGet();
    Duration wait = hang;
    if (!wait.isZero()) {
      hanging.incrementAndGet();
      try {
        hangRelease.await(wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        hanging.decrementAndGet();
      }
    }
    byte[] body = jwks().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private synchronized String jwks() {
    StringBuilder json = new StringBuilder("{\"keys\":[");
    for (int i = 0; i < keys.size(); i++) {
      json.append(i == 0 ? "" : ",").append(keys.get(i).jwk());
    }
    return json.append("]}").toString();
  }
}
