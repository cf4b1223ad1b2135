package it.org.ferrymq;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JWKS endpoint the integration-test server verifies JWT passwords with
 * ({@code MP_JWT_VERIFY_PUBLICKEY_LOCATION} in pom.xml points at {@code it.jwks.port}), served
 * from the test JVM so that a test can make it hang. It serves the public key of
 * src/test/liberty/jwt-public.pem under {@link #KEY_ID} and, once {@link #addKeyId} was called,
 * under more ids (a rotation). One instance per JVM, started by the first test that needs it.
 */
final class JwksServer {

  static final String KEY_ID = "it-1";
  private static JwksServer shared;

  private final RSAPublicKey key;
  private final List<String> keyIds = new ArrayList<>(List.of(KEY_ID));
  private final AtomicInteger fetches = new AtomicInteger();
  private final AtomicInteger hanging = new AtomicInteger();
  private volatile Duration hang = Duration.ZERO;
  private volatile CountDownLatch hangRelease = new CountDownLatch(0);

  private JwksServer(RSAPublicKey key) {
    this.key = key;
  }

  /** @return the running server, started on first use on the port the build reserved */
  static synchronized JwksServer shared() throws Exception {
    if (shared == null) {
      Path pem = Path.of(System.getenv("FERRYMQ_IT_DIR")).resolve("jwt-public.pem");
      byte[] der = Base64.getMimeDecoder().decode(Files.readString(pem)
          .replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", ""));
      JwksServer server = new JwksServer((RSAPublicKey) KeyFactory.getInstance("RSA")
          .generatePublic(new X509EncodedKeySpec(der)));
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

  /** Serves the same key under one more key id from the next fetch on. */
  synchronized void addKeyId(String kid) {
    keyIds.add(kid);
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
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String n = b64.encodeToString(unsigned(key.getModulus()));
    String e = b64.encodeToString(unsigned(key.getPublicExponent()));
    StringBuilder json = new StringBuilder("{\"keys\":[");
    for (int i = 0; i < keyIds.size(); i++) {
      json.append(i == 0 ? "" : ",").append("{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",")
          .append("\"kid\":\"").append(keyIds.get(i)).append("\",\"n\":\"").append(n)
          .append("\",\"e\":\"").append(e).append("\"}");
    }
    return json.append("]}").toString();
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes[0] == 0 && bytes.length > 1) {
      byte[] trimmed = new byte[bytes.length - 1];
      System.arraycopy(bytes, 1, trimmed, 0, trimmed.length);
      return trimmed;
    }
    return bytes;
  }
}
