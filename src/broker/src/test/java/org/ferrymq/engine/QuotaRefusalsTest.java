package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QuotaRefusalsTest {
  private final QuotaRefusals sut = new QuotaRefusals();
  private LogCapture warnings;

  @BeforeEach
  void listen() {
    warnings = LogCapture.warnings(QuotaRefusals.class.getName());
  }

  @AfterEach
  void stopListening() {
    warnings.close();
  }

  @Test
  void everyRefusalIsCountedButAClientIsWarnedAboutOnce() {
    // Exercise
    for (int i = 0; i < 5; i++) {
      sut.refused(QuotaCap.SUBSCRIPTIONS, "greedy", () -> "subscription refused");
    }

    // Verify
    assertEquals(5, sut.count(QuotaCap.SUBSCRIPTIONS));
    assertEquals(0, sut.count(QuotaCap.SESSIONS));
    assertEquals(1, warnings.records().size(), "one WARNING, the rest at FINE");
    assertEquals(5L, sut.counts().get(QuotaCap.SUBSCRIPTIONS));
  }

  @Test
  void aFloodOfDistinctClientsWarnsAtMostOnceASecondPerCap() {
    long start = System.nanoTime();

    // Exercise: client ids cycled as fast as a flood would
    for (int i = 0; i < 1000; i++) {
      sut.refused(QuotaCap.SESSIONS, "cycled-" + i, () -> "CONNECT refused");
    }

    // Verify
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    assertEquals(1000, sut.count(QuotaCap.SESSIONS));
    int logged = warnings.records().size();
    assertTrue(logged <= 1 + seconds, logged + " warnings in " + seconds + " s");
  }
}
