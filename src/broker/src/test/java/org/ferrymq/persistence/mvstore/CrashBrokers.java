package org.ferrymq.persistence.mvstore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Child JVMs running {@link CrashBroker} on one store directory, one after the other, each
 * killed with SIGKILL ({@code Process.destroyForcibly()}); {@link #close()} kills whatever runs.
 */
final class CrashBrokers implements AutoCloseable {
  private final Path dir;
  private final List<Process> children = new ArrayList<>();

  /** @param dir holds the store ({@code store/}) and one log per child */
  CrashBrokers(Path dir) {
    this.dir = dir;
  }

  /** A running child. */
  record Child(Process process, int port) {
    String uri() {
      return "tcp://127.0.0.1:" + port;
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill9() throws InterruptedException {
      process.destroyForcibly();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("broker survived SIGKILL for 10 s");
      }
    }
  }

  /** Starts a child on the store and waits until it listens. */
  Child start() throws IOException, InterruptedException {
    Path log = dir.resolve("broker-" + children.size() + ".log");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), "-Xmx512m",
        CrashBroker.class.getName(), dir.resolve("store").toString())
        .redirectError(log.toFile())
        .start();
    children.add(p);
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith("LISTENING ")) {
      p.waitFor(5, TimeUnit.SECONDS);
      throw new IllegalStateException("broker did not start: " + line + "\n"
          + Files.readString(log));
    }
    return new Child(p, Integer.parseInt(line.substring("LISTENING ".length()).trim()));
  }

  /** Kills whatever runs and keeps the children's logs in {@code <build dir>/crash-logs/}. */
  @Override
  public void close() {
    children.forEach(Process::destroyForcibly);
    try {
      Path keep = Files.createDirectories(Path.of(System.getProperty("user.dir"),
          System.getProperty("build.dir", "target"), "crash-logs", dir.getFileName().toString()));
      for (int i = 0; i < children.size(); i++) {
        Path log = dir.resolve("broker-" + i + ".log");
        if (Files.exists(log)) {
          Files.copy(log, keep.resolve(log.getFileName()),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      System.err.println("could not keep the broker logs of " + dir + ": " + e);
    }
  }
}
