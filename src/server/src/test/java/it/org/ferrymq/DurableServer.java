package it.org.ferrymq;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A second Liberty server for tests that restart or kill the broker, next to the one Arquillian
 * runs for the whole suite.
 *
 * <p>It copies the configured server ({@code wlp.server.dir}: server.xml and its profile
 * include, bootstrap.properties,
 * jvm.options, server.env, configDropins, apps, the key store) into a user directory of its own
 * ({@code WLP_USER_DIR}) under the build directory and starts it with the installation's {@code
 * bin/server}, on free ports of its own and with the environment a test gives each start ({@code
 * MQTT_PERSISTENCE=...}). Stopping is either {@code bin/server stop} or SIGKILL to the pid that
 * {@code bin/server} wrote. {@link #close()} kills whatever still runs, keeps the logs under
 * {@code <build dir>/durable-it-logs/} and deletes the copy.
 */
final class DurableServer implements AutoCloseable {

  /**
   * Not containing "ferrymq": Arquillian's Liberty container refuses to start when any Liberty
   * JVM whose name contains its server name runs.
   */
  static final String NAME = "durable-restart";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
  private static final long COMMAND_TIMEOUT_SECONDS = 180;
  private static final int START_ATTEMPTS = 3;
  private static final String[] COPIED = {"server.xml", "profile-secure.xml",
      "bootstrap.properties", "jvm.options", "server.env", "configDropins", "apps", "lib",
      "resources"};

  private final Path wlpHome;
  private final Path userDir;
  private final Path serverDir;
  private final Path logArchive;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private int httpPort;
  private int mqttPort;
  private int mqttsPort;
  private int wsPort;
  private int wssPort;
  private int httpsPort;
  private Map<String, String> environment = Map.of();
  private int starts;

  private DurableServer(Path wlpHome, Path userDir, Path logArchive) {
    this.wlpHome = wlpHome;
    this.userDir = userDir;
    this.serverDir = userDir.resolve("servers").resolve(NAME);
    this.logArchive = logArchive;
  }

  /** Copies the build's configured server into a fresh user directory. */
  static DurableServer create() throws IOException {
    Path wlpHome = Path.of(System.getProperty("wlp.home")).toAbsolutePath();
    Path configured = Path.of(System.getProperty("wlp.server.dir")).toAbsolutePath();
    // wlp.home is <build dir>/liberty/wlp
    Path buildDir = wlpHome.getParent().getParent();
    Path userDir = Files.createTempDirectory(buildDir, "durable-it-wlp-");
    DurableServer server = new DurableServer(wlpHome, userDir,
        buildDir.resolve("durable-it-logs"));
    Files.createDirectories(server.serverDir);
    for (String name : COPIED) {
      Path source = configured.resolve(name);
      if (Files.exists(source)) {
        copyTree(source, server.serverDir.resolve(name));
      }
    }
    return server;
  }

  /** A fresh directory beside the server, e.g. for a data directory. */
  Path newDirectory(String prefix) throws IOException {
    return Files.createTempDirectory(userDir, prefix);
  }

  int mqttPort() {
    return mqttPort;
  }

  int httpPort() {
    return httpPort;
  }

  int mqttsPort() {
    return mqttsPort;
  }

  /** @return the server's configuration directory (server.xml, server.env, resources/) */
  Path serverDirectory() {
    return serverDir;
  }

  int httpsPort() {
    return httpsPort;
  }

  String mqttUri() {
    return "tcp://localhost:" + mqttPort;
  }

  /**
   * Starts the server with these variables in its environment and waits until {@code
   * /health/ready} answers 200.
   *
   * @return the readiness response body
   */
  String start(Map<String, String> variables) throws IOException, InterruptedException {
    environment = Map.copyOf(variables);
    for (int attempt = 1; ; attempt++) {
      Set<Integer> ports = new HashSet<>();
      httpPort = freePort(ports);
      httpsPort = freePort(ports);
      mqttPort = freePort(ports);
      mqttsPort = freePort(ports);
      wsPort = freePort(ports);
      wssPort = freePort(ports);
      starts++;
      run("start");
      Optional<String> ready = awaitReadyOrFailed();
      if (ready.isPresent()) {
        return ready.get();
      }
      String log = messages();
      kill();
      // A port free a moment ago can be taken before the server binds it (a shared machine).
      if (!log.contains("Address already in use") || attempt == START_ATTEMPTS) {
        throw new IllegalStateException("The broker did not start (start " + starts + "): "
            + tail(log));
      }
    }
  }

  /** @return the readiness body, or empty when the broker logged that it cannot start */
  private Optional<String> awaitReadyOrFailed() {
    URI ready = URI.create("http://localhost:" + httpPort + "/health/ready");
    String[] body = new String[1];
    boolean[] failed = new boolean[1];
    await("readiness of " + NAME + " (start " + starts + ")").atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(500)).until(() -> {
          Optional<HttpResponse<String>> response = get(ready);
          response.ifPresent(r -> body[0] = r.body());
          if (response.map(r -> r.statusCode() == 200).orElse(false)) {
            return true;
          }
          failed[0] = messages().contains("FerryMQ cannot start");
          return failed[0];
        });
    return failed[0] ? Optional.empty() : Optional.of(body[0]);
  }

  /**
   * Adds (or with {@code xml} null removes) a configuration override the next start reads.
   *
   * @param name its file name under {@code configDropins/overrides}
   */
  void configDropin(String name, String xml) throws IOException {
    Path file = serverDir.resolve("configDropins").resolve("overrides").resolve(name);
    if (xml == null) {
      Files.deleteIfExists(file);
    } else {
      Files.createDirectories(file.getParent());
      Files.writeString(file, xml);
    }
  }

  /** @return the HTTP status of {@code /health/ready} now, or -1 when it does not answer */
  int readinessStatus() throws InterruptedException {
    return get(URI.create("http://localhost:" + httpPort + "/health/ready"))
        .map(HttpResponse::statusCode).orElse(-1);
  }

  /** @return the body of {@code path} on the HTTP port, or empty when it does not answer */
  Optional<String> httpGet(String path) throws InterruptedException {
    return get(URI.create("http://localhost:" + httpPort + path)).map(HttpResponse::body);
  }

  /** Stops the server cleanly with {@code bin/server stop} and waits for the process. */
  void stop() throws IOException, InterruptedException {
    Optional<ProcessHandle> process = process();
    run("stop");
    if (process.isPresent()) {
      process.get().onExit().join();
    }
  }

  /** SIGKILL to the server's JVM: no shutdown hook, no quiesce, no store close. */
  void kill() throws IOException {
    Optional<ProcessHandle> process = process();
    if (process.isPresent()) {
      process.get().destroyForcibly();
      process.get().onExit().join();
    }
  }

  /** @return the running server's JVM, from the pid file {@code bin/server} writes */
  Optional<ProcessHandle> process() throws IOException {
    Path pidFile = userDir.resolve("servers").resolve(".pid").resolve(NAME + ".pid");
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    String pid = Files.readString(pidFile).trim();
    if (pid.isEmpty()) {
      return Optional.empty();
    }
    return ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive);
  }

  /** @return messages.log of the current or last run */
  String messages() throws IOException {
    Path log = serverDir.resolve("logs").resolve("messages.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** Kills the server if it still runs, keeps its logs, deletes the copy. */
  @Override
  public void close() throws IOException {
    kill();
    Path logs = serverDir.resolve("logs");
    if (Files.exists(logs)) {
      Path target = logArchive.resolve(userDir.getFileName().toString());
      copyTree(logs, target);
    }
    deleteTree(userDir);
  }

  private void run(String action) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        wlpHome.resolve("bin").resolve("server").toString(), action, NAME));
    // A file, not a pipe: the server JVM that "start" leaves behind must not hold our stream.
    Path output = Files.createTempFile(userDir, "server-" + action + "-", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(output.toFile());
    Map<String, String> env = builder.environment();
    // Failsafe's environment carries the Arquillian server's ports and test security settings
    // (MQTT_ACL_FILE, FERRYMQ_SECURITY_INCLUDE ...); this server runs the default configuration.
    env.keySet().removeIf(key -> key.startsWith("WLP_") || key.startsWith("MQTT")
        || key.startsWith("FERRYMQ_"));
    env.putAll(environment);
    env.put("WLP_USER_DIR", userDir.toString());
    env.put("HTTP_PORT", Integer.toString(httpPort));
    env.put("HTTPS_PORT", Integer.toString(httpsPort));
    env.put("MQTT_PORT", Integer.toString(mqttPort));
    env.put("MQTTS_PORT", Integer.toString(mqttsPort));
    env.put("MQTT_WS_PORT", Integer.toString(wsPort));
    env.put("MQTT_WSS_PORT", Integer.toString(wssPort));
    Process process = builder.start();
    if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("bin/server " + action + " did not return: "
          + Files.readString(output));
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException("bin/server " + action + " " + NAME + " exited with "
          + process.exitValue() + ": " + Files.readString(output) + "\n" + tail(messages()));
    }
  }

  private Optional<HttpResponse<String>> get(URI uri) throws InterruptedException {
    try {
      return Optional.of(http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
          .GET().build(), HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      // only asked while the server starts: not listening yet, or listening but not answering
      // yet (timeouts, GOAWAY; starts took 81 s at load 8-14); the await bounds the wait
      return Optional.empty();
    }
  }

  private static String tail(String log) {
    return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
  }

  /**
   * A port below Linux's ephemeral range (32768-60999), where outgoing connections of every
   * process on the machine take their local ports and could take it before the server binds.
   */
  private static int freePort(Set<Integer> taken) throws IOException {
    for (int i = 0; i < 200; i++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
      if (!taken.contains(port) && canBind(port)) {
        taken.add(port);
        return port;
      }
    }
    throw new IOException("no free port between 20000 and 32000");
  }

  private static boolean canBind(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void copyTree(Path source, Path target) throws IOException {
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path to = target.resolve(source.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(to);
        } else {
          Files.createDirectories(to.getParent());
          Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw new UncheckedIOException(e);
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
