package it.org.ferrymq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The dashboard end to end in headless Chromium: {@code src/test/js/dashboard-e2e.js} (Playwright
 * over Debian's {@code /usr/bin/chromium}) opens {@code /} of this server, watches a TCP client's
 * messages arrive in the topic tree, publishes from the form to a TCP subscriber, signs in as the
 * administrator and disconnects a client, opens a client's session and deletes another's, lists
 * and deletes retained messages, checks the sign-in flow and that the console stayed free of
 * errors, and saves {@code docs/images/dashboard.png} and the session, retained and bans views' images. The build installs playwright-core
 * ({@code npm ci}) and passes its node_modules as NODE_PATH; the administrator's password is the
 * server's ADMIN_PASSWORD, both from the failsafe configuration.
 */
class DashboardIT extends ServerIT {

  private static final Path SCRIPT = Path.of("src/test/js/dashboard-e2e.js");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  /** The checkout's top level (docs/images); this module lives in src/server. */
  private static final Path ROOT = Path.of(System.getProperty("ferrymq.root", "../.."));

  @Test
  void dashboardWorksEndToEndInHeadlessChromium() throws Exception {
    assertTrue(Files.isExecutable(CHROMIUM),
        "Debian's chromium is required (apt-get install chromium; .ci/run installs it)");
    Path log = Files.createTempFile("dashboard-e2e", ".log");
    ProcessBuilder builder = new ProcessBuilder("node", SCRIPT.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.put("HTTP_PORT", String.valueOf(HTTP_PORT));
    env.put("MQTT_PORT", String.valueOf(MQTT_PORT));
    env.put("CHROMIUM", CHROMIUM.toString());
    env.put("SCREENSHOT", ROOT.resolve("docs/images/dashboard.png").toString());
    env.put("SCREENSHOT_TABLET", ROOT.resolve("docs/images/dashboard-tablet.png").toString());
    env.put("SCREENSHOT_SESSION", ROOT.resolve("docs/images/dashboard-session.png").toString());
    env.put("SCREENSHOT_RETAINED", ROOT.resolve("docs/images/dashboard-retained.png").toString());
    env.put("SCREENSHOT_BANS", ROOT.resolve("docs/images/dashboard-bans.png").toString());

    // Exercise
    Process node = builder.start();
    boolean finished = node.waitFor(4, TimeUnit.MINUTES);
    if (!finished) {
      node.destroyForcibly();
    }
    String output = read(log);
    System.out.println(output);

    // Verify
    assertTrue(finished, "the browser test did not finish in 4 minutes:\n" + output);
    assertEquals(0, node.exitValue(), "the browser test failed:\n" + output);
    assertTrue(output.contains("DASHBOARD E2E PASSED"), output);
    assertTrue(output.contains("no console errors"), output);
  }

  private static String read(Path log) throws IOException {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
