package org.ferrymq.persistence.mvstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.DeliveryState;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.common.RecordCodec;

/**
 * Timings behind the store choice in docs/persistence.md; a tool, not a test. Run with
 * {@code java -cp <test classpath> org.ferrymq.persistence.mvstore.StoreTimings [dir] [out]}:
 * measures one fsync, the codec, and the acknowledgement rate of the MVStore backend in both
 * durable modes with 8 writer threads (as lanes would), and writes the results to {@code out}.
 */
public final class StoreTimings {
  private static final int THREADS = 8;
  private static final int PER_THREAD = 5_000;
  private static final byte[] PAYLOAD = new byte[256];
  /** Unacknowledged messages per writer, like a publisher's in-flight window. */
  private static final int WINDOW = 20;

  private StoreTimings() {
  }

  public static void main(String[] args) throws Exception {
    Path base = Path.of(args.length > 0 ? args[0] : "target/store-timings");
    Path out = Path.of(args.length > 1 ? args[1] : "target/store-timings.txt");
    Files.createDirectories(base);
    List<String> lines = new ArrayList<>();
    lines.add("store timings, " + Runtime.getRuntime().availableProcessors() + " cores, "
        + System.getProperty("java.version") + ", dir " + base.toAbsolutePath());
    lines.add(fsync(base.resolve("fsync.bin")));
    lines.add(codec());
    for (int round = 0; round < 2; round++) { // the first round warms the JIT up
      for (PersistenceMode mode : List.of(PersistenceMode.PERSISTENT, PersistenceMode.QUEUED)) {
        Path dir = base.resolve("mv-" + mode.value() + "-" + round);
        delete(dir);
        String burst = acknowledgements(dir, mode, 0);
        delete(dir);
        String windowed = acknowledgements(dir, mode, WINDOW);
        delete(dir);
        String blocking = acknowledgements(dir, mode, 1);
        if (round == 1) {
          lines.add(burst);
          lines.add(windowed);
          lines.add(blocking);
        }
      }
    }
    lines.forEach(System.out::println);
    Files.write(out, lines);
  }

  private static String fsync(Path file) throws IOException {
    int n = 300;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        ch.write(ByteBuffer.wrap(PAYLOAD));
        ch.force(false);
      }
      long nanos = System.nanoTime() - start;
      return String.format("append 256 B + FileChannel.force: %.0f us each -> at most %.0f "
          + "acknowledgements/s with one sync per message", nanos / 1e3 / n, n * 1e9 / nanos);
    }
  }

  private static StoredDelivery delivery(long seq) {
    Message m = new Message("sensors/building-1/floor-2/temperature", PAYLOAD,
        QoS.AT_LEAST_ONCE, false, Properties.EMPTY, 0, "publisher-1");
    return new StoredDelivery(seq, m, QoS.AT_LEAST_ONCE, false, List.of(), null, 0,
        DeliveryState.QUEUED);
  }

  private static String codec() throws Exception {
    int n = 200_000;
    long start = System.nanoTime();
    int bytes = 0;
    for (int i = 0; i < n; i++) {
      byte[] b = RecordCodec.encodeDelivery(delivery(i));
      bytes = b.length;
      RecordCodec.decodeDelivery(b);
    }
    long nanos = System.nanoTime() - start;
    return String.format("codec: delivery with 256 B payload = %d B record; encode+decode "
        + "%.2f us", bytes, nanos / 1e3 / n);
  }

  /** @param window at most this many unacknowledged writes per thread; 0 for no limit */
  private static String acknowledgements(Path dir, PersistenceMode mode, int window)
      throws Exception {
    MvStorePersistence store = MvStorePersistence.open(dir, mode);
    int n = THREADS * PER_THREAD;
    CountDownLatch done = new CountDownLatch(n);
    List<Thread> threads = new ArrayList<>();
    long syncsBefore = store.syncCount();
    long start = System.nanoTime();
    for (int t = 0; t < THREADS; t++) {
      String client = "client-" + t;
      java.util.concurrent.Semaphore inflight = new java.util.concurrent.Semaphore(
          window == 0 ? Integer.MAX_VALUE : window);
      Thread th = new Thread(() -> {
        for (int i = 0; i < PER_THREAD; i++) {
          inflight.acquireUninterruptibly();
          store.queues().put(client, delivery(i));
          store.afterDurable(() -> {
            inflight.release();
            done.countDown();
          });
        }
      });
      threads.add(th);
      th.start();
    }
    done.await(120, TimeUnit.SECONDS);
    long nanos = System.nanoTime() - start;
    long syncs = store.syncCount() - syncsBefore;
    store.close();
    long size = Files.size(dir.resolve(MvStorePersistence.FILE_NAME));
    return String.format("mvstore %-10s %d writers, %s: %.0f acknowledged writes/s, "
        + "%d syncs for %d acknowledgements (%.0f per sync), file %.1f MB", mode.value(),
        THREADS, window == 0 ? "no window" : "window " + window, n * 1e9 / nanos, syncs, n, syncs == 0 ? 0.0 : (double) n / syncs,
        size / 1e6);
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
