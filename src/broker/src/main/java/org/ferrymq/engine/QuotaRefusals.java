package org.ferrymq.engine;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Counts refusals by cap and logs them without letting a client flood the log: a WARNING the
 * first time a client hits a cap, then FINE. The clients already warned about are remembered in a
 * bounded, least-recently-used table, and a cap warns at most once a second, so a flood of
 * CONNECTs cycling client identifiers costs a line a second, not a line a CONNECT. Thread-safe.
 */
final class QuotaRefusals {
  private static final Logger LOG = Logger.getLogger(QuotaRefusals.class.getName());
  /** Clients remembered as already warned about, per broker; about 100 bytes each. */
  static final int REMEMBERED_CLIENTS = 10_000;
  private static final long WARNING_INTERVAL_NANOS = 1_000_000_000L;

  private final Map<QuotaCap, LongAdder> counts = new EnumMap<>(QuotaCap.class);
  private final Map<QuotaCap, AtomicLong> lastWarningNanos = new EnumMap<>(QuotaCap.class);
  /** Guarded by itself. */
  private final Map<String, Boolean> warned = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED_CLIENTS;
    }
  };

  QuotaRefusals() {
    for (QuotaCap cap : QuotaCap.values()) {
      counts.put(cap, new LongAdder());
      lastWarningNanos.put(cap, new AtomicLong(System.nanoTime() - WARNING_INTERVAL_NANOS));
    }
  }

  /**
   * Counts one refusal and logs it.
   *
   * @param clientId the client refused (or whose message was not retained)
   * @param what what was refused, e.g. "CONNECT refused with 0x97"
   */
  void refused(QuotaCap cap, String clientId, Supplier<String> what) {
    counts.get(cap).increment();
    String key = cap.ordinal() + ":" + clientId;
    boolean first;
    synchronized (warned) {
      first = warned.get(key) == null;
    }
    if (first && mayWarn(cap)) {
      synchronized (warned) {
        warned.put(key, Boolean.TRUE);
      }
      LOG.warning(() -> "Client '" + clientId + "' reached " + cap.setting() + ": " + what.get()
          + " (" + counts.get(cap).sum() + " refusals of this cap since start; logged once per "
          + "client)");
    } else {
      LOG.log(Level.FINE, () -> "Client '" + clientId + "' reached " + cap.setting() + ": "
          + what.get());
    }
  }

  private boolean mayWarn(QuotaCap cap) {
    AtomicLong last = lastWarningNanos.get(cap);
    long before = last.get();
    long now = System.nanoTime();
    return now - before >= WARNING_INTERVAL_NANOS && last.compareAndSet(before, now);
  }

  long count(QuotaCap cap) {
    return counts.get(cap).sum();
  }

  Map<QuotaCap, Long> counts() {
    Map<QuotaCap, Long> out = new EnumMap<>(QuotaCap.class);
    counts.forEach((cap, n) -> out.put(cap, n.sum()));
    return out;
  }
}
