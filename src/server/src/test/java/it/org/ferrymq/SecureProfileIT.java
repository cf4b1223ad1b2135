package it.org.ferrymq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 on a real Liberty server in the secure profile ({@code MQTT_SECURITY_PROFILE=secure},
 * a second server, {@link DurableServer}): nothing that carries credentials is served over plain
 * HTTP. The dashboard's pages are redirected to HTTPS; the admin API and the MQTT WebSocket on
 * the HTTP port answer 403 without an authentication challenge, so neither a Basic password nor
 * an MQTT CONNECT travels in clear; health stays reachable for probes; HTTPS serves the
 * dashboard.
 */
class SecureProfileIT {
  private static DurableServer server;
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeAll
  static void start() throws Exception {
    server = DurableServer.create();
    server.start(Map.of("MQTT_SECURITY_PROFILE", "secure"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<String> plain(String path, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(
        URI.create("http://localhost:" + server.httpPort() + path)).timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void dashboardPagesOverHttpAreRedirectedToHttps() throws Exception {
    HttpResponse<String> page = plain("/index.html?x=1", null);

    assertEquals(308, page.statusCode());
    assertEquals("https://localhost:" + server.httpsPort() + "/index.html?x=1",
        page.headers().firstValue("Location").orElse(""));
  }

  @Test
  void theAdminApiOverHttpIsRefusedWithoutAPasswordChallenge() throws Exception {
    String basic = "Basic " + Base64.getEncoder().encodeToString(
        "admin:secret".getBytes(StandardCharsets.UTF_8));

    HttpResponse<String> anonymous = plain("/api/clients", null);
    HttpResponse<String> withPassword = plain("/api/clients", basic);

    assertEquals(403, anonymous.statusCode());
    assertNull(anonymous.headers().firstValue("WWW-Authenticate").orElse(null),
        "no challenge that would invite a password over plain HTTP");
    assertEquals(403, withPassword.statusCode());
    // the calls that change the broker too, e.g. a ban
    assertEquals(403, plain("/api/bans", basic).statusCode());
  }

  @Test
  void theMqttWebSocketOnTheHttpPortIsRefusedBeforeAnyConnect() {
    ExecutionException refused = assertThrows(ExecutionException.class,
        () -> HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("mqtt")
            .buildAsync(URI.create("ws://localhost:" + server.httpPort() + "/mqtt"),
                new WebSocket.Listener() { })
            .get(10, TimeUnit.SECONDS));

    WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class,
        refused.getCause());
    assertEquals(403, handshake.getResponse().statusCode());
  }

  @Test
  void healthStaysReachableAndHttpsServesTheDashboard() throws Exception {
    assertEquals(200, plain("/health/ready", null).statusCode());

    HttpClient https = HttpClient.newBuilder().sslContext(ServerIT.serverTrust())
        .connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> page = https.send(HttpRequest.newBuilder(URI.create(
        "https://localhost:" + server.httpsPort() + "/index.html")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("<html"), "the dashboard page");
  }

  @Test
  void theSecureProfileListensOnEveryInterface() throws Exception {
    Optional<InetAddress> external = ListeningInterfaces.externalAddress();
    assumeTrue(external.isPresent(),
        "this machine has a non-loopback IPv4 address");

    assertTrue(ListeningInterfaces.accepts(external.get(), server.mqttsPort()), "8883's port");
    assertTrue(ListeningInterfaces.accepts(external.get(), server.httpsPort()), "HTTPS");
  }
}
