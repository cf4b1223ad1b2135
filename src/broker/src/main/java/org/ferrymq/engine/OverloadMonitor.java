package org.ferrymq.engine;

import java.util.function.DoubleSupplier;
import java.util.logging.Logger;

/**
 * Watches the heap and declares the broker overloaded above {@code
 * mqtt.overload.heap-high-percent} of it still in use after collection, until it falls below
 * {@code mqtt.overload.heap-low-percent}. While overloaded, new connections are refused (server
 * busy) and QoS 0 messages for clients that cannot take them at once are dropped, so the broker
 * sheds load before it could run out of memory. Checked by the timer; read from any thread.
 */
final class OverloadMonitor {
  private static final Logger LOG = Logger.getLogger(OverloadMonitor.class.getName());

  private final DoubleSupplier heapUse;
  private final double high;
  private final double low;
  private volatile boolean overloaded;
  private volatile double lastReading;

  OverloadMonitor(DoubleSupplier heapUse, int highPercent, int lowPercent) {
    this.heapUse = heapUse;
    this.high = highPercent / 100.0;
    this.low = lowPercent / 100.0;
  }

  /** Reads the heap once and changes state past the water marks; logs each change. */
  void check() {
    double use = heapUse.getAsDouble();
    lastReading = use;
    if (!overloaded && use >= high) {
      overloaded = true;
      LOG.warning(() -> String.format("Broker overloaded: %.0f %% of the heap in use after "
          + "garbage collection (mqtt.overload.heap-high-percent %.0f); refusing new connections "
          + "and dropping QoS 0 messages for slow clients", use * 100, high * 100));
    } else if (overloaded && use < low) {
      overloaded = false;
      LOG.info(() -> String.format("Broker no longer overloaded: %.0f %% of the heap in use "
          + "(mqtt.overload.heap-low-percent %.0f)", use * 100, low * 100));
    }
  }

  boolean isOverloaded() {
    return overloaded;
  }

  /** @return the heap share read by the last check, 0..1 */
  double heapUse() {
    return lastReading;
  }
}
