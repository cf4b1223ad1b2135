package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QuotaRefusalsTest {
  private final QuotaRefusals sut = new QuotaRefusals();
  private final Logger logger = Logger.getLogger(QuotaRefusals.class.getName());
  private final List<LogRecord> warnings = new ArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord r) {
      if (r.getLevel() == Level.WARNING) {
        warnings.add(r);
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  @BeforeEach
  void listen() {
    logger.addHandler(handler);
  }

  @AfterEach
  void stopListening() {
    logger.removeHandler(handler);
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
    assertEquals(1, warnings.size(), "one WARNING, the rest at FINE");
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
    assertTrue(warnings.size() <= 1 + seconds, warnings.size() + " warnings in " + seconds + " s");
  }
}
