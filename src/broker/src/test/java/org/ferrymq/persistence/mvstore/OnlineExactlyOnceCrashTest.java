package org.ferrymq.persistence.mvstore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a {@code persistent} broker while an ONLINE QoS 2 subscriber and a QoS 2 publisher
 * are mid-flow in both directions: after the restart and reconnect every message arrives exactly
 * once. The kill point is random (seeded, printed) over a run of {@code ferrymq.crash.messages}
 * messages (default 2 000), repeated {@code ferrymq.crash.rounds} times (default 3). The longer
 * variant: {@code -Dferrymq.crash.rounds=20 -Dferrymq.crash.messages=10000}. Each round is an
 * {@link OnlineExactlyOnceRound} against the engine in a child JVM ({@link CrashBroker}).
 */
class OnlineExactlyOnceCrashTest {
  @TempDir
  Path dir;

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  @Test
  @DisplayName("[MQTT-4.3.3-10] [MQTT-4.4.0-1] Paho v3 QoS 2 publisher and Paho v3 QoS 2"
      + " subscriber, both online with persistent sessions, broker killed at a random point:"
      + " every message reaches the subscriber exactly once")
  void pahoStreamsGetEveryMessageExactlyOnceAcrossKill9() throws Exception {
    int rounds = Integer.getInteger("ferrymq.crash.rounds", 3);
    int messages = Integer.getInteger("ferrymq.crash.messages", 2_000);
    long seed = Long.getLong("ferrymq.crash.seed", System.nanoTime());
    Random random = new Random(seed);
    List<String> reports = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      int killAfter = messages / 10 + random.nextInt(messages * 8 / 10);
      reports.add(runRound(round, messages, killAfter));
    }
    String report = "online QoS 2 kill -9 test (persistent, MVStore, seed " + seed + "):\n"
        + String.join("\n", reports);
    System.out.println(report);
    Path results = Path.of(System.getProperty("user.dir"), System.getProperty("build.dir",
        "target"), "online-exactly-once-crash-test.txt");
    Files.createDirectories(results.getParent());
    Files.writeString(results, report + System.lineSeparator());
  }

  private String runRound(int round, int messages, int killAfter) throws Exception {
    Path roundDir = Files.createDirectories(dir.resolve("round-" + round));
    CrashBrokers brokers = new CrashBrokers(roundDir);
    open.add(brokers);
    CrashBrokers.Child[] current = {brokers.start()};
    return OnlineExactlyOnceRound.run("round-" + round, new OnlineExactlyOnceRound.Broker() {
      @Override
      public String uri() {
        return current[0].uri();
      }

      @Override
      public void kill9() throws Exception {
        current[0].kill9();
      }

      @Override
      public String restart() throws Exception {
        current[0] = brokers.start();
        return current[0].uri();
      }
    }, messages, killAfter, open);
  }
}
