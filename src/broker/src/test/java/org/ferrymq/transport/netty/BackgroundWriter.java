package org.ferrymq.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client's writes on a thread of their own, so that a test can let a client write more than
 * the server reads and watch it block. It counts what each write handed to the socket. The
 * thread ends when everything is written or a write fails, at the latest when the test closes
 * the socket.
 */
final class BackgroundWriter {

  /** Writes one chunk, e.g. to a socket's stream or as one WebSocket frame. */
  interface Sink {
    void write(byte[] chunk) throws IOException;
  }

  private final AtomicLong written = new AtomicLong();
  private final CompletableFuture<Void> done = new CompletableFuture<>();

  private BackgroundWriter() {
  }

  /** Starts writing {@code data} from {@code offset} on, in chunks of {@code chunkSize}. */
  static BackgroundWriter start(byte[] data, int offset, int chunkSize, Sink sink) {
    BackgroundWriter writer = new BackgroundWriter();
    Thread thread = new Thread(() -> {
      try {
        for (int from = offset; from < data.length; from += chunkSize) {
          int to = Math.min(data.length, from + chunkSize);
          sink.write(Arrays.copyOfRange(data, from, to));
          writer.written.addAndGet(to - from);
        }
        writer.done.complete(null);
      } catch (IOException | RuntimeException e) {
        writer.done.completeExceptionally(e);
      }
    }, "test-client-writer");
    thread.setDaemon(true);
    thread.start();
    return writer;
  }

  /** @return bytes the sink has taken so far */
  long written() {
    return written.get();
  }

  /** @return whether every byte was written, or a write failed */
  boolean isDone() {
    return done.isDone();
  }

  /**
   * Waits until no write has made progress for 300 ms: the client is blocked, the kernel buffers
   * on both ends full, because the server reads nothing.
   */
  void awaitBlocked() {
    long[] last = {-1};
    await().pollInterval(Duration.ofMillis(50)).during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(10)).until(() -> {
          long now = written.get();
          boolean same = now == last[0];
          last[0] = now;
          return same;
        });
    assertFalse(done.isDone(), "the client never blocked: the server kept reading");
  }

  /** Waits until every byte is written and fails with the write's error if one failed. */
  void awaitCompleted() throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(done::isDone);
    try {
      done.get();
    } catch (ExecutionException e) {
      throw new AssertionError("the client's write failed", e.getCause());
    }
  }
}
