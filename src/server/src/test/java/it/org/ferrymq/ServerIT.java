package it.org.ferrymq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.Duration;
import javax.management.remote.JMXConnector;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base of the integration tests: Arquillian's managed Liberty container starts the server the build
 * installed, once for the whole run. FerryMQ itself (RAR + WAR) is configured in server.xml, because
 * its WAR needs a class provider that Arquillian deployments cannot declare; each test class deploys
 * only a tiny probe WAR (testable = false) and talks to the server from outside, as clients would.
 */
@ExtendWith(ArquillianExtension.class)
public abstract class ServerIT {

  protected static final int HTTP_PORT = Integer.getInteger("it.http.port", 9080);
  protected static final int HTTPS_PORT = Integer.getInteger("it.https.port", 9443);
  protected static final int MQTT_PORT = Integer.getInteger("it.mqtt.port", 1883);
  protected static final int MQTTS_PORT = Integer.getInteger("it.mqtts.port", 8883);
  /** The resource adapter's own WebSocket listeners (not Liberty's HTTP ports). */
  protected static final int WS_PORT = Integer.getInteger("it.ws.port", 8083);
  protected static final int WSS_PORT = Integer.getInteger("it.wss.port", 8084);
  protected static final Path SERVER_DIR = Path.of(System.getProperty("wlp.server.dir", "."));

  @Deployment(testable = false)
  public static WebArchive probe() {
    return ShrinkWrap.create(WebArchive.class, "it-probe.war")
        .addAsWebResource(new StringAsset("probe"), "probe.txt");
  }

  protected static HttpResponse<String> get(String path) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + HTTP_PORT + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** @return the value of the first /metrics sample named {@code name} (no labels) */
  protected static long gauge(String name) throws Exception {
    return gauge(name, "");
  }

  /** @return the value of the first /metrics sample of that name with that label */
  protected static long gauge(String prefix, String label) throws Exception {
    var response = get("/metrics");
    assertEquals(200, response.statusCode(), response.body());
    for (String line : response.body().split("\n")) {
      if (line.startsWith(prefix) && line.contains(label)) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no " + prefix + " in /metrics");
  }

  /** Liberty's local connector: only the same user on the same machine can attach. */
  protected static JMXConnector localJmx() throws Exception {
    return LocalJmx.connect(SERVER_DIR);
  }

  /**
   * Trusts exactly the server's certificate: the key store Liberty generated, whose password
   * {@code server create} wrote to server.env.
   */
  protected static SSLContext serverTrust() throws Exception {
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(serverKeyStore());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  /** @return the server's key store, opened with the password from server.env */
  protected static KeyStore serverKeyStore() throws Exception {
    String password = "ferrymq-dev";
    Path env = SERVER_DIR.resolve("server.env");
    if (Files.exists(env)) {
      for (String line : Files.readAllLines(env)) {
        if (line.startsWith("keystore_password=")) {
          password = line.substring("keystore_password=".length()).trim();
        }
      }
    }
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(
        SERVER_DIR.resolve("resources/security/key.p12"))) {
      keyStore.load(in, password.toCharArray());
    }
    return keyStore;
  }
}
