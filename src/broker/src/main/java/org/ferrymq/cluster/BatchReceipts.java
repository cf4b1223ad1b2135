package org.ferrymq.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * What one forwarded batch's QoS 1/2 messages owe their origin: each is settled exactly once,
 * as its sessions here take it or, if that has not happened by the batch's deadline
 * ({@code mqtt.cluster.forward-timeout} from when the batch is routed: at once, or when an
 * adoption that held it ends), as {@link Inbox#FAILED}. One deadline per batch instead of one
 * timer per message: a per-message timeout filled the scheduler's delay queue with one entry
 * per message in flight (8.5 % of the receiving node's Java samples in a cross-node profile,
 * docs/performance.md).
 * Thread-safe: sessions settle from their lanes, the deadline from the scheduler.
 */
final class BatchReceipts {
  private static final int OWED = 0;
  private static final int SETTLED = 1;

  /** Where a settlement goes: {@link Settlements}, towards the batch's origin. */
  interface Sink {
    void settle(long id, byte outcome);
  }

  private final long firstId;
  private final Sink to;
  /** Per message of the batch: {@link #OWED} until settled; QoS 0 ones start settled. */
  private final AtomicIntegerArray state;
  private final java.util.concurrent.atomic.AtomicBoolean deadlineSet =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * @param size the number of messages in the batch, all owed until {@link #notOwed} or
   *     settled
   */
  BatchReceipts(long firstId, int size, Sink to) {
    this.firstId = firstId;
    this.to = to;
    this.state = new AtomicIntegerArray(size);
  }

  /** The message at {@code index} owes no settlement (QoS 0). */
  void notOwed(int index) {
    state.set(index, SETTLED);
  }

  /** Settles the message at {@code index}, unless its deadline settled it already. */
  void settle(int index, byte outcome) {
    if (state.compareAndSet(index, OWED, SETTLED)) {
      to.settle(firstId + index, outcome);
    }
  }

  /**
   * Settles every message still owed at {@code timeoutMillis} from now as failed; once per
   * batch, the first call counts.
   */
  void expireAfter(long timeoutMillis) {
    if (deadlineSet.compareAndSet(false, true)) {
      CompletableFuture.delayedExecutor(timeoutMillis, TimeUnit.MILLISECONDS)
          .execute(this::expire);
    }
  }

  /** Settles every message still owed as failed: its deadline passed. */
  void expire() {
    for (int i = 0; i < state.length(); i++) {
      settle(i, Inbox.FAILED);
    }
  }
}
