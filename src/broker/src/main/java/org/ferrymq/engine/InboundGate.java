package org.ferrymq.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.ferrymq.transport.Transport;

/**
 * Decides whether the broker reads from one connection. Reading pauses while any of four
 * reasons holds, and resumes when none does:
 *
 * <ul>
 *   <li>{@link #OUTBOUND}: the transport's outbound buffer is above its high-water mark, so the
 *       client is not reading what it asked for (PINGRESP, PUBACK...);
 *   <li>{@link #BACKLOG}: bytes of this client's packets handed to lanes and not yet processed
 *       (its own lane's batches, and deliveries queued on subscribers' lanes) passed
 *       {@link #BACKLOG_HIGH}; they resume below {@link #BACKLOG_LOW};
 *   <li>{@link #ACKS}: an MQTT 3 client (no Receive Maximum) has too many acknowledgements held
 *       back by congested subscribers;
 *   <li>{@link #CREDENTIALS}: packets sent after CONNECT while its credentials are checked off
 *       the lane passed {@link ConnectionHandler#DEFERRED_READ_LIMIT}.
 * </ul>
 *
 * <p>So what one client can make the broker hold is bounded whatever it does. Thread-safe: lanes,
 * transport threads and the timer call it; a pause change reaches the transport in order.
 */
final class InboundGate {
  static final int OUTBOUND = 1;
  static final int BACKLOG = 2;
  static final int ACKS = 4;
  static final int CREDENTIALS = 8;
  static final long BACKLOG_HIGH = 1 << 20;
  static final long BACKLOG_LOW = BACKLOG_HIGH / 2;

  private final Transport transport;
  private final Metrics metrics;
  private final AtomicInteger reasons = new AtomicInteger();
  private final AtomicLong backlogBytes = new AtomicLong();
  private final AtomicInteger throttledAcks = new AtomicInteger();
  /** Guarded by this: what the transport was last told. */
  private boolean paused;
  /** Guarded by this. */
  private boolean closed;
  private volatile long outboundBlockedSinceNanos;
  /** When reading last resumed after a pause; 0 if it never paused. */
  private volatile long resumedAtNanos;

  InboundGate(Transport transport, Metrics metrics) {
    this.transport = transport;
    this.metrics = metrics;
  }

  void hold(int reason) {
    if ((reasons.getAndUpdate(r -> r | reason) & reason) == 0) {
      if (reason == OUTBOUND) {
        outboundBlockedSinceNanos = System.nanoTime();
      }
      apply();
    }
  }

  void release(int reason) {
    if ((reasons.getAndUpdate(r -> r & ~reason) & reason) != 0) {
      if (reason == OUTBOUND) {
        outboundBlockedSinceNanos = 0;
      }
      apply();
    }
  }

  /** Counts bytes of packets handed to a lane; pauses reading above the high-water mark. */
  void reserve(long bytes) {
    long after = backlogBytes.addAndGet(bytes);
    if (after >= BACKLOG_HIGH && after - bytes < BACKLOG_HIGH) {
      hold(BACKLOG);
      recheckBacklog();
    }
  }

  /** Those bytes were processed; resumes below the low-water mark. */
  void free(long bytes) {
    long after = backlogBytes.addAndGet(-bytes);
    if (after < BACKLOG_LOW && after + bytes >= BACKLOG_LOW) {
      release(BACKLOG);
      recheckBacklog();
    }
  }

  /** A hold and a release racing each other on two threads end as the count says. */
  private void recheckBacklog() {
    long now = backlogBytes.get();
    if (now >= BACKLOG_HIGH) {
      hold(BACKLOG);
    } else if (now < BACKLOG_LOW) {
      release(BACKLOG);
    }
  }

  /** One of this publisher's acknowledgements now waits for a congested subscriber. */
  void throttled() {
    if (throttledAcks.getAndIncrement() == 0) {
      metrics.publishersThrottled.increment();
    }
  }

  /** That acknowledgement may go. */
  void unthrottled() {
    if (throttledAcks.decrementAndGet() == 0) {
      metrics.publishersThrottled.decrement();
    }
  }

  /** @return nanoseconds the client has not been reading its socket, 0 if it is */
  long outboundBlockedNanos(long nowNanos) {
    long since = outboundBlockedSinceNanos;
    return since == 0 ? 0 : nowNanos - since;
  }

  boolean isPaused(int reason) {
    return (reasons.get() & reason) != 0;
  }

  /** @return whether reading is paused for any reason */
  boolean isPaused() {
    return reasons.get() != 0;
  }

  /** @return when reading last resumed after a pause, 0 if it never paused */
  long resumedAtNanos() {
    return resumedAtNanos;
  }

  /** The connection is gone: counts it as no longer paused. */
  synchronized void closed() {
    closed = true;
    if (paused) {
      paused = false;
      metrics.connectionsPaused.decrement();
    }
  }

  private synchronized void apply() {
    boolean shouldPause = reasons.get() != 0;
    if (shouldPause != paused && !closed) {
      paused = shouldPause;
      if (shouldPause) {
        metrics.connectionsPaused.increment();
      } else {
        metrics.connectionsPaused.decrement();
        resumedAtNanos = System.nanoTime();
      }
      transport.setReadingPaused(shouldPause);
    }
  }
}
