package org.ferrymq.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The committed seed corpus of a fuzz target: files {@code seed-<name>} in the target's inputs
 * directory, {@code src/test/resources/<package>/<Class>Inputs/<method>/}, where Jazzer also
 * writes its findings and reads both back in regression mode.
 */
public final class SeedFiles {
  /** Set to {@code true} to (re)write the seeds instead of checking them. */
  public static final String WRITE_PROPERTY = "fuzz.seeds.write";

  private SeedFiles() {
  }

  /**
   * Writes the seeds when {@link #WRITE_PROPERTY} is set, else checks that each is committed
   * with exactly these bytes (an encoder change then shows up as stale seeds).
   */
  public static void sync(Class<?> fuzzTest, String method, Map<String, byte[]> seeds)
      throws IOException {
    Path dir = Path.of("src", "test", "resources")
        .resolve(fuzzTest.getPackageName().replace('.', '/'))
        .resolve(fuzzTest.getSimpleName() + "Inputs").resolve(method);
    boolean write = Boolean.getBoolean(WRITE_PROPERTY);
    if (write) {
      Files.createDirectories(dir);
    }
    for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
      Path file = dir.resolve("seed-" + seed.getKey());
      if (write) {
        Files.write(file, seed.getValue());
      } else {
        assertTrue(Files.isRegularFile(file), file + " is missing; regenerate the seeds with"
            + " -D" + WRITE_PROPERTY + "=true");
        assertArrayEquals(seed.getValue(), Files.readAllBytes(file), file + " is stale;"
            + " regenerate the seeds with -D" + WRITE_PROPERTY + "=true");
      }
    }
  }
}
