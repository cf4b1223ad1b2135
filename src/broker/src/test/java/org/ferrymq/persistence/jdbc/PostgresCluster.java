package org.ferrymq.persistence.jdbc;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A throwaway PostgreSQL cluster for tests: initdb and pg_ctl from Debian's
 * {@code /usr/lib/postgresql/<version>/bin}, in a temporary directory, on a free loopback port,
 * run as the OS user {@code postgres} (via runuser) when the tests run as root, since PostgreSQL
 * refuses to run as root. Without PostgreSQL installed the tests are skipped, except under CI
 * ({@code CI=true}), where a missing install is a failure.
 */
public final class PostgresCluster implements AutoCloseable {
  /** The database user, trusted (no password). */
  public static final String USER = "ferrymq";

  private final Path binDir;
  private final Path baseDir;
  private final Path dataDir;
  private final int port;
  private final boolean asPostgres;

  private PostgresCluster(Path binDir) throws IOException, InterruptedException {
    this.binDir = binDir;
    this.asPostgres = "root".equals(System.getProperty("user.name"));
    this.baseDir = Files.createTempDirectory("ferrymq-pg");
    this.dataDir = baseDir.resolve("data");
    try (ServerSocket s = new ServerSocket(0)) {
      this.port = s.getLocalPort();
    }
    if (asPostgres) {
      run(List.of("chown", "postgres", baseDir.toString()), false);
    }
    run(List.of(binDir.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", USER,
        "--auth=trust", "-E", "UTF8", "--no-sync"), asPostgres);
    startServer();
  }

  /** Starts the database server (again) on the same port and data directory. */
  public void startServer() throws IOException, InterruptedException {
    run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l",
        baseDir.resolve("server.log").toString(), "-w", "-t", "30", "-o",
        "-p " + port + " -k " + baseDir + " -c listen_addresses=127.0.0.1", "start"),
        asPostgres);
  }

  /**
   * Stops the database server as a crash would ({@code pg_ctl -m immediate}): connections
   * break, new ones are refused; committed transactions survive in the WAL.
   */
  public void stopServer() throws IOException, InterruptedException {
    run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m",
        "immediate", "-w", "stop"), asPostgres);
  }

  /** Starts a cluster, or skips the calling test when PostgreSQL is not installed. */
  public static PostgresCluster start() throws IOException, InterruptedException {
    Path bin = findBinaries();
    if (bin == null) {
      String why = "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); "
          + "apt-get install postgresql";
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(why + " (required in CI: see .ci/run)");
      }
      Assumptions.abort(why);
    }
    return new PostgresCluster(bin);
  }

  private static Path findBinaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return null;
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparing(b -> versionOf(b.getParent())))
          .orElse(null);
    }
  }

  private static int versionOf(Path dir) {
    try {
      return Integer.parseInt(dir.getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private void run(List<String> command, boolean asPostgresUser)
      throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asPostgresUser) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("failed: " + String.join(" ", full) + "\n" + out);
    }
  }

  /** @return the loopback port the server listens on */
  public int port() {
    return port;
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  DataSource dataSource() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(jdbcUrl());
    ds.setUser(USER);
    return ds;
  }

  @Override
  public void close() throws Exception {
    try {
      run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m",
          "immediate", "stop"), asPostgres);
    } finally {
      try (Stream<Path> files = Files.walk(baseDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
