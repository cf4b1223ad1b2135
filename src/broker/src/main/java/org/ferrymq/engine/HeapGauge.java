package org.ferrymq.engine;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The share of the maximum heap still in use after the latest garbage collection: what the
 * broker really holds, without the garbage that any heap reading between collections includes.
 * The pools' own "collection usage" is not enough: G1 does not update its old generation's
 * figure on young collections, so it lags far behind a heap that fills through promotion. This
 * listens to the JVM's collection notifications instead, and falls back to the current heap use
 * where they are not available.
 */
final class HeapGauge implements DoubleSupplier, NotificationListener {
  private static final Logger LOG = Logger.getLogger(HeapGauge.class.getName());

  private final Set<String> heapPools = new HashSet<>();
  private final long maxBytes = Runtime.getRuntime().maxMemory();
  private volatile long usedAfterGc = -1;

  private HeapGauge() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPools.add(pool.getName());
      }
    }
  }

  /** @return a gauge listening to every collector; reads current use until the first one ends */
  static HeapGauge install() {
    HeapGauge gauge = new HeapGauge();
    try {
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener(gauge, null, null);
        }
      }
    } catch (LinkageError | SecurityException e) {
      LOG.log(Level.INFO, "Garbage collection notifications unavailable; overload protection "
          + "reads the current heap use", e);
    }
    return gauge;
  }

  /** Stops listening; the broker calls it when it stops. */
  void uninstall() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        try {
          emitter.removeNotificationListener(this);
        } catch (javax.management.ListenerNotFoundException | LinkageError e) {
          // never added
        }
      }
    }
  }

  @Override
  public double getAsDouble() {
    long used = usedAfterGc;
    if (used < 0) {
      used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
    return maxBytes <= 0 ? 0 : (double) used / maxBytes;
  }

  @Override
  public void handleNotification(Notification n, Object handback) {
    try {
      if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
        return;
      }
      GarbageCollectionNotificationInfo info =
          GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
      long sum = 0;
      for (Map.Entry<String, MemoryUsage> pool
          : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
        if (heapPools.contains(pool.getKey())) {
          sum += pool.getValue().getUsed();
        }
      }
      usedAfterGc = sum;
    } catch (LinkageError | RuntimeException e) {
      // Not a HotSpot or OpenJ9 notification: keep the current-use fallback
    }
  }
}
