package it.org.ferrymq;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.ferrymq.testing.AnyServerCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployable server (issue 18): {@code java -jar ferrymq.jar}, the runnable jar liberty:package
 * builds from the server, starts the whole broker with the same configuration and environment
 * variables as the build's server, and nothing else. Runs after the other integration tests,
 * on ports of its own, with a clean environment: the product as a user gets it. Only the
 * failsafe execution that runs after {@code liberty:package} sets {@code ferrymq.jar}.
 */
@EnabledIfSystemProperty(named = "ferrymq.jar", matches = ".+",
    disabledReason = "the jar is built in verify, after the other integration tests")
class RunnableJarIT {

  private static final Path JAR = Path.of(System.getProperty("ferrymq.jar"));
  @TempDir
  static Path work;
  private static Process server;
  private static Map<String, Integer> ports;

  @BeforeAll
  static void start() throws Exception {
    assertTrue(Files.isRegularFile(JAR), "liberty:package built " + JAR);
    ports = Map.of("HTTP_PORT", freePort(), "HTTPS_PORT", freePort(), "MQTT_PORT", freePort(),
        "MQTTS_PORT", freePort(), "MQTT_WS_PORT", freePort(), "MQTT_WSS_PORT", freePort());
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-jar", JAR.toString())
        .redirectErrorStream(true).redirectOutput(work.resolve("console.log").toFile());
    Map<String, String> env = pb.environment();
    // The integration-test server's settings are inherited by this JVM: not the product's
    env.keySet().removeIf(k -> k.startsWith("MQTT_") || k.startsWith("FERRYMQ_")
        || k.endsWith("_PORT") || k.equals("ADMIN_PASSWORD"));
    ports.forEach((name, port) -> env.put(name, Integer.toString(port)));
    // Where the jar unpacks the server (and keeps its generated key store and store files)
    env.put("WLP_JAR_EXTRACT_DIR", work.resolve("extract").toString());
    server = pb.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.destroy(); // SIGTERM: Liberty stops the server as on Ctrl-C
      if (!server.waitFor(60, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void theJarServesHealthMqttOverTcpAndMqttOverWss() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    URI ready = URI.create("http://localhost:" + ports.get("HTTP_PORT") + "/health/ready");
    String[] body = new String[1];
    await("/health/ready UP (console: " + work.resolve("console.log") + ")")
        .atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
          assertTrue(server.isAlive(), "the server process ended: " + console());
          try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(ready)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            body[0] = r.body();
            return r.statusCode() == 200;
          } catch (IOException notYet) {
            return false;
          }
        });
    assertTrue(body[0].contains("\"UP\""), body[0]);

    String topic = "jar/" + UUID.randomUUID();
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    MqttConnectOptions wss = new MqttConnectOptions();
    wss.setSocketFactory(AnyServerCertificate.context().getSocketFactory());
    wss.setHttpsHostnameVerificationEnabled(false);
    MqttClient subscriber = new MqttClient("wss://localhost:" + ports.get("MQTT_WSS_PORT")
        + "/mqtt", "jar-sub-" + UUID.randomUUID(), new MemoryPersistence());
    subscriber.connect(wss);
    MqttClient publisher = new MqttClient("tcp://localhost:" + ports.get("MQTT_PORT"),
        "jar-pub-" + UUID.randomUUID(), new MemoryPersistence());
    publisher.connect();
    try {
      subscriber.subscribe(topic, 1,
          (t, m) -> got.add(new String(m.getPayload(), StandardCharsets.UTF_8)));

      publisher.publish(topic, "from tcp".getBytes(StandardCharsets.UTF_8), 1, false);

      assertEquals("from tcp", got.poll(10, TimeUnit.SECONDS), "delivered over wss");
    } finally {
      Clients.close(publisher);
      Clients.close(subscriber);
    }
  }

  private static String console() {
    try {
      return Files.readString(work.resolve("console.log"));
    } catch (IOException e) {
      return "(no console: " + e + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
