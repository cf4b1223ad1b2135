package org.ferrymq.engine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects the records one logger writes at one level while open, for tests that check what is
 * logged (and how often). Thread-safe: records may arrive from lanes.
 */
public final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler;

  private LogCapture(String loggerName, Level level) {
    this.logger = Logger.getLogger(loggerName);
    this.handler = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getLevel() == level) {
          records.add(r);
        }
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    logger.addHandler(handler);
  }

  /** @return a capture of the WARNING records of the logger named after {@code source} */
  public static LogCapture warnings(String source) {
    return new LogCapture(source, Level.WARNING);
  }

  /** @return the records captured so far */
  public List<LogRecord> records() {
    return List.copyOf(records);
  }

  /** @return the messages captured so far */
  public List<String> messages() {
    return records.stream().map(LogRecord::getMessage).toList();
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
