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
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
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
 *
 * <p>A young collection leaves the old generation as it was, garbage included: the Parallel
 * collector (the shipped one) reclaims it only in a full collection, which comes when the old
 * generation is full. A figure from a young collection is therefore an upper bound. When such a
 * figure reaches {@code confirmAbove} (the overload's low-water mark, where the reading starts
 * to matter), the gauge asks for a full collection, at most once per {@link #CONFIRM_INTERVAL}
 * seconds, and reads the heap after it. Without that, an overloaded broker whose old generation
 * holds only garbage would never see it go, since it takes in too little to fill it again.
 */
final class HeapGauge implements DoubleSupplier, NotificationListener {
  static final long CONFIRM_INTERVAL = 30;
  private static final Logger LOG = Logger.getLogger(HeapGauge.class.getName());

  private final Set<String> heapPools = new HashSet<>();
  private final long maxBytes;
  private final double confirmAbove;
  private final LongSupplier currentUse;
  private final Runnable fullCollection;
  private final LongSupplier nanoClock;
  private volatile long usedAfterGc = -1;
  private volatile boolean wholeHeap;
  private long lastConfirmed; // timer thread only
  private boolean confirmedOnce; // timer thread only

  HeapGauge(long maxBytes, double confirmAbove, LongSupplier currentUse, Runnable fullCollection,
      LongSupplier nanoClock) {
    this.maxBytes = maxBytes;
    this.confirmAbove = confirmAbove;
    this.currentUse = currentUse;
    this.fullCollection = fullCollection;
    this.nanoClock = nanoClock;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPools.add(pool.getName());
      }
    }
  }

  /**
   * @param confirmAbove the share from which a young collection's figure is confirmed by a full
   *     collection
   * @return a gauge listening to every collector; reads current use until the first one ends
   */
  static HeapGauge install(double confirmAbove) {
    HeapGauge gauge = new HeapGauge(Runtime.getRuntime().maxMemory(), confirmAbove,
        () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), System::gc,
        System::nanoTime);
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

  /** Read by the overload timer only: it may run a full collection (see the class comment). */
  @Override
  public double getAsDouble() {
    long used = usedAfterGc;
    if (used < 0) {
      used = currentUse.getAsLong();
    } else if (!wholeHeap && share(used) >= confirmAbove && confirmDue()) {
      double young = share(used);
      fullCollection.run();
      used = currentUse.getAsLong();
      collected(true, used); // the collector's own notification may come a moment later
      double full = share(used);
      LOG.fine(() -> String.format("A young collection left %.0f %% of the heap in use; after a "
          + "full collection %.0f %%", young * 100, full * 100));
    }
    return share(used);
  }

  private boolean confirmDue() {
    long now = nanoClock.getAsLong();
    if (confirmedOnce && now - lastConfirmed < TimeUnit.SECONDS.toNanos(CONFIRM_INTERVAL)) {
      return false;
    }
    confirmedOnce = true;
    lastConfirmed = now;
    return true;
  }

  private double share(long used) {
    return maxBytes <= 0 ? 0 : (double) used / maxBytes;
  }

  /**
   * Records a collection's outcome.
   *
   * @param whole whether the collection examined the whole heap, old generation included
   * @param used heap bytes in use after it
   */
  void collected(boolean whole, long used) {
    wholeHeap = whole;
    usedAfterGc = used;
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
      // HotSpot names a young collection "end of minor GC"; single-generation collectors
      // (ZGC, Shenandoah in Java 17) examine the whole heap in every cycle
      collected(!info.getGcAction().contains("minor"), sum);
    } catch (LinkageError | RuntimeException e) {
      // Not a HotSpot or OpenJ9 notification: keep the current-use fallback
    }
  }
}
