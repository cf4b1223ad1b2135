package org.ferrymq.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The per-message counters of one lane. Only the thread running the lane writes them (the lane's
 * owner lock orders successive runners), so an increment is a plain add with an opaque store:
 * no atomic instruction and no cache line shared with another lane. Broker-wide
 * {@code LongAdder}s, updated from every lane and transport thread, drew 17 % of a WebSocket
 * fan-in profile's samples; removing them gained 1-8 % (docs/performance.md). Readers (metrics, {@code $SYS}) get opaque loads: each value
 * is whole and recent, and the sum over lanes is as exact as a monitoring snapshot needs.
 */
class LaneCounters {
  private static final VarHandle RECEIVED = handle("messagesReceived");
  private static final VarHandle SENT = handle("messagesSent");
  private static final VarHandle BYTES_SENT = handle("bytesSent");
  private static final VarHandle DROPS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final DropReason[] REASONS = DropReason.values();
  private static final VarHandle QUEUED = handle("messagesQueued");

  private long messagesReceived;
  private long messagesSent;
  private long bytesSent;
  /** Indexed by {@link DropReason#ordinal()}. */
  private final long[] drops = new long[REASONS.length];
  private long messagesQueued;
  // Keeps the next lane's counters off this cache line
  @SuppressWarnings("unused")
  private long pad1, pad2, pad3, pad4, pad5, pad6, pad7, pad8;

  void received() {
    RECEIVED.setOpaque(this, messagesReceived + 1);
  }

  void published() {
    SENT.setOpaque(this, messagesSent + 1);
  }

  void wrote(long bytes) {
    BYTES_SENT.setOpaque(this, bytesSent + bytes);
  }

  void dropped(DropReason reason) {
    int i = reason.ordinal();
    DROPS.setOpaque(drops, i, drops[i] + 1);
  }

  void queued(int delta) {
    QUEUED.setOpaque(this, messagesQueued + delta);
  }

  long messagesReceived() {
    return (long) RECEIVED.getOpaque(this);
  }

  long messagesSent() {
    return (long) SENT.getOpaque(this);
  }

  long bytesSent() {
    return (long) BYTES_SENT.getOpaque(this);
  }

  long messagesDropped() {
    long total = 0;
    for (DropReason r : REASONS) {
      total += messagesDropped(r);
    }
    return total;
  }

  long messagesDropped(DropReason reason) {
    return (long) DROPS.getOpaque(drops, reason.ordinal());
  }

  long messagesQueued() {
    return (long) QUEUED.getOpaque(this);
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
    synchronized void received() {
      super.received();
    }

    @Override
    synchronized void published() {
      super.published();
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
