package org.ferrymq.bench;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak ({@link Soak}), short by default: 300 clients for 75 s. The long run is the same test
 * with {@code -Dsoak.duration=600} (2,004 clients unless {@code -Dsoak.clients} says otherwise);
 * see docs/performance.md. The summary goes to the log and to target/soak-summary.txt.
 */
class SoakTest {
  private static final int SHORT_SECONDS = 75;
  private static final int SHORT_CLIENTS = 300;
  private static final int LONG_CLIENTS = 2004;
  private static final long MIB = 1 << 20;

  @TempDir
  Path store;

  @Test
  void acknowledgedMessagesSurviveChurnAndAFailingStoreWithoutLeaks() throws Exception {
    int seconds = Integer.getInteger("soak.duration", SHORT_SECONDS);
    Soak.Settings settings = Soak.Settings.fromSystemProperties(SHORT_SECONDS,
        seconds > SHORT_SECONDS ? LONG_CLIENTS : SHORT_CLIENTS);

    // disk-full (default): the store's disk fills and is freed again, the broker reopens it by
    // itself; throwing-store: a third-party store whose writes throw; none: no fault
    String faultName = System.getProperty("soak.fault", "disk-full");
    StoreFault fault = switch (faultName) {
      case "none", "false" -> StoreFault.none();
      case "throwing-store" -> new FailingWrites();
      default -> new DiskFull();
    };

    SoakReport r = new Soak(settings, fault, store).run();

    String summary = r.summary();
    System.out.println(summary);
    Files.writeString(Path.of("target", "soak-summary.txt"), summary);
    Resources base = r.baseline();
    Resources end = r.end();
    assertAll(
        () -> assertTrue(r.reconnects() >= r.clients() / 2 && r.abruptDrops() > 0,
            "the soak churned too little to prove anything: " + r.abruptDrops()
                + " abrupt drops, " + r.reconnects() + " reconnects of " + r.clients()
                + " clients"),
        () -> assertTrue(r.acked()[1] > 0 && r.acked()[2] > 0,
            "no QoS 1 or 2 message acknowledged: acked " + r.acked()[1] + " / " + r.acked()[2]),
        // [MQTT-4.3.2-2]/[MQTT-4.3.3-2] and [MQTT-4.4.0-1]: what the broker acknowledged it
        // delivers to every subscription, across reconnects of a Clean Session 0 session
        () -> assertEquals(0, r.lost()[1], "QoS 1 messages acknowledged (PUBACK) but missing at"
            + " a subscriber, of " + r.acked()[1] + " acked x " + Soak.SUBSCRIBERS_PER_GROUP
            + " subscribers (+1 in the groups with a Paho witness); sample " + r.lostSample()),
        () -> assertEquals(0, r.lost()[2], "QoS 2 messages acknowledged (PUBCOMP) but missing at"
            + " a subscriber, of " + r.acked()[2] + " acked x " + Soak.SUBSCRIBERS_PER_GROUP
            + " subscribers (+1 in the groups with a Paho witness); sample " + r.lostSample()),
        () -> assertEquals(0, r.duplicates()[2], "QoS 2 messages delivered twice to one"
            + " subscriber session, of " + r.delivered()[2] + " delivered; "
            + r.qos2DuplicateDetail()),
        () -> assertEquals(0, r.subscriberSessionsLost() + r.publisherSessionsLost(),
            "reconnects with Clean Session 0 that found no session"),
        () -> assertEquals(0, r.sessionsLeft(), "sessions left after every client reconnected"
            + " with Clean Session 1 and disconnected"),
        () -> assertTrue(end.heapBytes() <= base.heapBytes() + Resources.HEAP_TOLERANCE,
            "heap after GC " + end.heapBytes() / MIB + " MiB, baseline "
                + base.heapBytes() / MIB + " MiB, peak " + r.peakHeap() / MIB
                + " MiB: more than " + Resources.HEAP_TOLERANCE / MIB + " MiB above"),
        () -> assertTrue(end.threads() <= base.threads() + Resources.THREAD_TOLERANCE,
            "threads " + end.threads() + ", baseline " + base.threads()),
        () -> assertTrue(end.fileDescriptors() <= base.fileDescriptors()
            + Resources.FD_TOLERANCE, "open file descriptors " + end.fileDescriptors()
            + ", baseline " + base.fileDescriptors()));
  }
}
