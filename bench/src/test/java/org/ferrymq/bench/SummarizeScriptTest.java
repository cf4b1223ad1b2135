package org.ferrymq.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/summarize.py on hand-written RESULT lines: a QoS 1/2 scenario that lost acknowledged
 * messages in any round is FAILED for that broker, shows no throughput, counts for no target, and
 * makes the script exit with 1 (bench/compare.sh passes that on). Skipped without python3.
 */
class SummarizeScriptTest {
  private static final Path SCRIPT =
      Path.of(System.getProperty("ferrymq.root", ".."), "bench", "summarize.py");

  @TempDir
  Path dir;

  private record Run(int status, String output) {
    /** @return the table line of {@code scenario}/{@code qos}/{@code metric} */
    String row(String scenario, String qos, String variant, String metric) {
      for (String line : output.split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 6 && f[0].equals(scenario) && f[1].equals(qos) && f[3].equals(variant)
            && f[4].equals(metric)) {
          return line;
        }
      }
      throw new AssertionError("no row " + scenario + " " + qos + " " + metric + " in\n" + output);
    }
  }

  private Run summarize(String... lines) throws IOException, InterruptedException {
    assumeTrue(Files.isRegularFile(SCRIPT), "run from the project directory");
    Path results = dir.resolve("results.txt");
    Files.write(results, List.of(lines), StandardCharsets.UTF_8);
    Process p;
    try {
      p = new ProcessBuilder("python3", SCRIPT.toString(), results.toString())
          .redirectErrorStream(true).start();
    } catch (IOException e) {
      assumeTrue(false, "python3 is not installed: " + e.getMessage());
      throw e;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    return new Run(p.exitValue(), out);
  }

  private static String line(String broker, String scenario, int qos, long msgs, long lost,
      long duplicates, int round, String more) {
    return "RESULT scenario=" + scenario + " transport=tcp broker=" + broker + " qos=" + qos
        + " msgs_per_s=" + msgs + " sent=1000 acked=1000 received=1000 duplicates=" + duplicates
        + " lost=" + lost + " broker_cpu_pct=100 round=" + round + " " + more;
  }

  @Test
  void lossInOneRoundFailsTheBrokerAndTheScript() throws Exception {
    Run run = summarize(
        line("mosquitto", "fanin", 1, 60_000, 0, 0, 1, ""),
        line("mosquitto", "fanin", 1, 61_000, 808, 0, 2, ""),
        line("mosquitto", "fanin", 1, 62_000, 0, 0, 3, ""),
        line("hivemq", "fanin", 1, 150_000, 0, 0, 1, ""),
        line("ferrymq", "fanin", 1, 450_000, 0, 0, 1, ""));

    assertEquals(1, run.status(), run.output());
    String rate = run.row("fanin", "1", "-", "msgs_per_s");
    assertTrue(rate.contains("FAILED"), rate);
    assertFalse(rate.contains("61000"), rate);
    assertTrue(run.row("fanin", "1", "-", "lost").contains("808.0"), run.output());
    // the target compares with HiveMQ only: 450,000 / 150,000
    assertTrue(run.output().contains("fanin QoS 1: 3.00x the better peer"), run.output());
    assertTrue(run.output().contains("mosquitto left out"), run.output());
    assertTrue(run.output().contains("round 2 acked 1000 lost 808"), run.output());
  }

  @Test
  void qos2DuplicatesFailButQos0AndQos1DuplicatesOrQos0LossDoNot() throws Exception {
    Run clean = summarize(
        line("ferrymq", "fanin", 0, 900_000, 5_000, 0, 1, ""),
        line("ferrymq", "persistent", 1, 300_000, 0, 3, 1, ""),
        line("ferrymq", "qos2", 2, 200_000, 0, 0, 1, ""));
    Run duplicated = summarize(line("ferrymq", "qos2", 2, 200_000, 0, 1, 1, ""));

    assertEquals(0, clean.status(), clean.output());
    assertTrue(clean.output().contains("Lost acknowledged messages: none"), clean.output());
    assertEquals(1, duplicated.status(), duplicated.output());
    assertTrue(duplicated.row("qos2", "2", "-", "msgs_per_s").contains("FAILED"),
        duplicated.output());
  }

  @Test
  void noTargetRatioWhenEveryPeerLostMessages() throws Exception {
    Run run = summarize(
        line("mosquitto", "fanin", 1, 60_000, 808, 0, 1, ""),
        line("hivemq", "fanin", 1, 150_000, 34, 0, 1, ""),
        line("ferrymq", "fanin", 1, 450_000, 0, 0, 1, ""));

    assertEquals(1, run.status(), run.output());
    assertTrue(run.output().contains("fanin QoS 1: no peer to compare with (mosquitto, hivemq"),
        run.output());
    assertTrue(run.row("fanin", "1", "-", "msgs_per_s").contains("450000.0"), run.output());
  }

  @Test
  void variantsAreSeparateRows() throws Exception {
    Run run = summarize(
        line("ferrymq", "fanin", 1, 450_000, 0, 0, 1, ""),
        line("ferrymq", "fanin", 1, 60_000, 12, 0, 1, "variant=open-loop,sub-pause-100us"));

    assertEquals(1, run.status(), run.output());
    assertTrue(run.row("fanin", "1", "-", "msgs_per_s").contains("450000.0"), run.output());
    assertTrue(run.row("fanin", "1", "open-loop,sub-pause-100us", "msgs_per_s")
        .contains("FAILED"), run.output());
  }
}
