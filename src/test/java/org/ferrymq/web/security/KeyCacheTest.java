package org.ferrymq.web.security;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.ferrymq.security.CredentialStoreUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JWKS key cache against a local HTTP server that counts its fetches and holds each answer
 * until the test lets it go: concurrent logins share one fetch, the keys are kept for the
 * refresh interval, and a failed fetch is shared but not kept.
 */
class KeyCacheTest {

  private static final long MINUTE = 60_000_000_000L;
  private final AtomicInteger fetches = new AtomicInteger();
  private final AtomicInteger status = new AtomicInteger(200);
  private volatile CountDownLatch answer = new CountDownLatch(0);
  private final AtomicLong nanos = new AtomicLong(MINUTE);
  private HttpServer server;
  private ExecutorService callers;
  private KeyCache<String> sut;

  @BeforeEach
  void serveJwks() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/jwks.json", exchange -> {
      int n = fetches.incrementAndGet();
      try {
        answer.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] body = ("{\"keys\":[],\"fetch\":" + n + "}").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status.get(), body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    URI location = URI.create("http://localhost:" + server.getAddress().getPort() + "/jwks.json");
    sut = new KeyCache<>(() -> {
      try {
        return JwtTokenVerifier.fetch(location);
      } catch (IOException e) {
        throw new CredentialStoreUnavailableException("cannot fetch: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UncheckedIOException(new IOException(e));
      }
    }, 10 * MINUTE, MINUTE, nanos::get);
    callers = Executors.newFixedThreadPool(16);
  }

  @AfterEach
  void stop() {
    answer.countDown();
    callers.shutdownNow();
    server.stop(0);
  }

  /** Sixteen logins ask for the keys while the first fetch is held; returns their futures. */
  private List<Future<String>> sixteenConcurrentLogins() {
    answer = new CountDownLatch(1);
    List<Future<String>> logins = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      logins.add(callers.submit(sut::keys));
    }
    await("the fetch reached the server").atMost(Duration.ofSeconds(5))
        .until(() -> fetches.get() >= 1);
    return logins;
  }

  @Test
  void concurrentLoginsShareOneFetchAndTheKeysAreKeptUntilTheRefresh() throws Exception {
    List<Future<String>> logins = sixteenConcurrentLogins();
    answer.countDown();

    String first = logins.get(0).get(5, TimeUnit.SECONDS);
    for (Future<String> login : logins) {
      assertSame(first, login.get(5, TimeUnit.SECONDS), "every login got the one fetch");
    }
    assertEquals(1, fetches.get());
    assertSame(first, sut.keys(), "kept");
    nanos.addAndGet(9 * MINUTE);
    assertSame(first, sut.keys(), "still kept before 10 minutes");
    assertEquals(1, fetches.get());

    nanos.addAndGet(MINUTE);
    assertTrue(sut.keys().contains("\"fetch\":2"), "fetched again after 10 minutes");
    assertEquals(2, fetches.get());
  }

  @Test
  void anUnknownKeyIdFetchesAgainAtMostOncePerForcedRefreshInterval() {
    String first = sut.keys();

    assertSame(first, sut.keysWithout(first), "fetched less than a minute ago: kept");
    nanos.addAndGet(MINUTE);
    String second = sut.keysWithout(first);
    assertEquals(2, fetches.get());
    assertSame(second, sut.keysWithout(first), "someone already fetched newer keys");
    assertEquals(2, fetches.get());
  }

  @Test
  void aFailedFetchIsSharedByTheWaitingLoginsAndNotKept() throws Exception {
    status.set(503);
    List<Future<String>> logins = sixteenConcurrentLogins();
    answer.countDown();

    for (Future<String> login : logins) {
      Exception e = assertThrows(Exception.class, () -> login.get(5, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof CredentialStoreUnavailableException, e.toString());
    }
    assertEquals(1, fetches.get());

    status.set(200);
    assertTrue(sut.keys().contains("\"fetch\":2"), "the next login fetches again");
  }
}
