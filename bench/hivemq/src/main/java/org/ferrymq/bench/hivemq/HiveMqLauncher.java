package org.ferrymq.bench.hivemq;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Starts an embedded HiveMQ CE for bench/compare.sh and runs until the process is stopped.
 *
 * <p>Usage: {@code HiveMqLauncher <config folder> <data folder> <extensions folder>}; the config
 * folder holds the {@code config.xml} that compare.sh generates.
 */
public final class HiveMqLauncher {
  private HiveMqLauncher() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: HiveMqLauncher <config dir> <data dir> <extensions dir>");
      System.exit(2);
    }
    EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
        .withConfigurationFolder(Path.of(args[0]))
        .withDataFolder(Path.of(args[1]))
        .withExtensionsFolder(Path.of(args[2]))
        .build();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      hivemq.stop().join();
      stopped.countDown();
    }, "hivemq-stop"));
    hivemq.start().join();
    System.out.println("HIVEMQ STARTED");
    stopped.await();
  }
}
