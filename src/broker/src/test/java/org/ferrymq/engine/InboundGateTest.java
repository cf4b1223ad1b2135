package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.ferrymq.packet.ProtocolVersion;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The per-connection read switch: reasons combine, the read-ahead has hysteresis. */
class InboundGateTest {
  private final FakeTransport transport = new FakeTransport(ProtocolVersion.MQTT_5);
  private final Metrics metrics = new Metrics();
  private final InboundGate sut = new InboundGate(transport, metrics);

  @Test
  @DisplayName("reading pauses while any reason holds and resumes when none does")
  void reasonsCombine() {
    sut.hold(InboundGate.OUTBOUND);
    sut.hold(InboundGate.ACKS);
    sut.release(InboundGate.OUTBOUND);
    assertTrue(transport.readingPaused(), "ACKS still holds");

    sut.release(InboundGate.ACKS);

    assertFalse(transport.readingPaused());
    assertEquals(0, metrics.connectionsPaused.sum());
  }

  @Test
  @DisplayName("read-ahead pauses at the high-water mark and resumes only below the low one")
  void backlogHasHysteresis() {
    sut.reserve(InboundGate.BACKLOG_HIGH - 1);
    assertFalse(transport.readingPaused());
    sut.reserve(1);
    assertTrue(transport.readingPaused());
    assertEquals(1, metrics.connectionsPaused.sum());

    sut.free(InboundGate.BACKLOG_HIGH - InboundGate.BACKLOG_LOW);
    assertTrue(transport.readingPaused(), "at the low-water mark it stays paused");
    sut.free(1);

    assertFalse(transport.readingPaused());
    assertEquals(0, metrics.connectionsPaused.sum());
  }

  @Test
  @DisplayName("reserves and frees racing on many threads end in the state the count says")
  void concurrentReserveAndFreeSettle() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch done = new CountDownLatch(4);
    long chunk = InboundGate.BACKLOG_HIGH / 3; // four outstanding pass the high-water mark
    for (int t = 0; t < 4; t++) {
      pool.execute(() -> {
        for (int i = 0; i < 20_000; i++) {
          sut.reserve(chunk);
          sut.free(chunk);
        }
        done.countDown();
      });
    }
    assertTrue(done.await(30, TimeUnit.SECONDS));
    pool.shutdown();

    assertFalse(transport.readingPaused(), "nothing is outstanding, so reading must be on");
    assertEquals(0, metrics.connectionsPaused.sum());
  }

  @Test
  @DisplayName("a closed connection no longer counts as paused")
  void closedConnectionIsNotCounted() {
    sut.hold(InboundGate.OUTBOUND);
    sut.closed();
    sut.release(InboundGate.OUTBOUND);
    sut.hold(InboundGate.OUTBOUND);

    assertEquals(0, metrics.connectionsPaused.sum());
  }

  @Test
  @DisplayName("a publisher counts as throttled while any of its acknowledgements is deferred")
  void throttledWhileAnyAcknowledgementWaits() {
    sut.throttled();
    sut.throttled();
    sut.unthrottled();
    assertEquals(1, metrics.publishersThrottled.sum());
    sut.unthrottled();
    assertEquals(0, metrics.publishersThrottled.sum());
  }
}
