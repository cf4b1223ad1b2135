package org.ferrymq.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.ferrymq.packet.QoS;
import org.ferrymq.stats.LatencyHistogram;
import org.ferrymq.stats.LatencySnapshot;

/**
 * The per-message counters of one lane. Only the thread running the lane writes them (the lane's
 * owner lock orders successive runners), so an increment is a plain add with an opaque store:
 * no atomic instruction and no cache line shared with another lane. Broker-wide
 * {@code LongAdder}s, updated from every lane and transport thread, drew 17 % of a WebSocket
 * fan-in profile's samples; removing them gained 1-8 % (docs/performance.md). Readers (metrics,
 * {@code $SYS}) get opaque loads: each value is whole and recent, and the sum over lanes is as exact as a monitoring snapshot needs.
 */
class LaneCounters {
  private static final VarHandle BYTES_SENT = handle("bytesSent");
  private static final VarHandle ELEMENTS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final DropReason[] REASONS = DropReason.values();
  private static final VarHandle QUEUED = handle("messagesQueued");

  /** Indexed by {@link QoS#value()}. */
  private final long[] received = new long[3];
  /** Indexed by {@link QoS#value()}. */
  private final long[] sent = new long[3];
  private long bytesSent;
  /** Indexed by {@link DropReason#ordinal()}. */
  private final long[] drops = new long[REASONS.length];
  private long messagesQueued;
  /** From a PUBLISH's arrival to the copy written to a subscriber (or handed in-process). */
  private final LatencyHistogram deliveryLatency = new LatencyHistogram();
  // Keeps the next lane's counters off this cache line
  @SuppressWarnings("unused")
  private long pad1, pad2, pad3, pad4, pad5, pad6, pad7, pad8;

  void received(QoS qos) {
    increment(received, qos.value());
  }

  /**
   * One PUBLISH sent (or a message handed to an in-process subscriber).
   *
   * @param qos the QoS it went out with
   * @param arrivedAtNanos when the message arrived, 0 when unknown: then no latency is counted
   */
  void published(QoS qos, long arrivedAtNanos) {
    increment(sent, qos.value());
    if (arrivedAtNanos != 0) {
      deliveryLatency.record(System.nanoTime() - arrivedAtNanos);
    }
  }

  void wrote(long bytes) {
    BYTES_SENT.setOpaque(this, bytesSent + bytes);
  }

  void dropped(DropReason reason) {
    increment(drops, reason.ordinal());
  }

  void queued(int delta) {
    QUEUED.setOpaque(this, messagesQueued + delta);
  }

  long messagesReceived() {
    return sum(received);
  }

  long messagesReceived(QoS qos) {
    return (long) ELEMENTS.getOpaque(received, qos.value());
  }

  long messagesSent() {
    return sum(sent);
  }

  long messagesSent(QoS qos) {
    return (long) ELEMENTS.getOpaque(sent, qos.value());
  }

  long bytesSent() {
    return (long) BYTES_SENT.getOpaque(this);
  }

  long messagesDropped() {
    return sum(drops);
  }

  long messagesDropped(DropReason reason) {
    return (long) ELEMENTS.getOpaque(drops, reason.ordinal());
  }

  long messagesQueued() {
    return (long) QUEUED.getOpaque(this);
  }

  LatencySnapshot deliveryLatency() {
    return deliveryLatency.snapshot();
  }

  private static void increment(long[] counters, int i) {
    ELEMENTS.setOpaque(counters, i, counters[i] + 1);
  }

  private static long sum(long[] counters) {
    long total = 0;
    for (int i = 0; i < counters.length; i++) {
      total += (long) ELEMENTS.getOpaque(counters, i);
    }
    return total;
  }

  private static VarHandle handle(String field) {
    try {
      return MethodHandles.lookup().findVarHandle(LaneCounters.class, field, long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** For the rare updates from a thread that is not running the lane (start-up, local API). */
  static final class Shared extends LaneCounters {
    @Override
    synchronized void received(QoS qos) {
      super.received(qos);
    }

    @Override
    synchronized void published(QoS qos, long arrivedAtNanos) {
      super.published(qos, arrivedAtNanos);
    }

    @Override
    synchronized void wrote(long bytes) {
      super.wrote(bytes);
    }

    @Override
    synchronized void dropped(DropReason reason) {
      super.dropped(reason);
    }

    @Override
    synchronized void queued(int delta) {
      super.queued(delta);
    }
  }
}
