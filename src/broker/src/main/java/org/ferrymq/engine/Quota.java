package org.ferrymq.engine;

import java.util.concurrent.atomic.AtomicLong;

/**
 * An amount in use against a limit, shared by every lane. {@link #tryAcquire} takes part of it
 * only while the limit allows, atomically, so lanes racing for the last unit cannot both get it;
 * {@link #adjust} records changes that are never refused (recovery, a replaced retained message,
 * a slot handed from one session to its successor) and may pass the limit.
 */
final class Quota {
  private final QuotaCap cap;
  private final long limit;
  private final AtomicLong used = new AtomicLong();

  Quota(QuotaCap cap, long limit) {
    this.cap = cap;
    this.limit = limit;
  }

  /** @return the cap of the first quota already past its limit (after recovery), null if none */
  static QuotaCap firstExceeded(Quota... quotas) {
    for (Quota q : quotas) {
      if (q.used.get() > q.limit) {
        return q.cap;
      }
    }
    return null;
  }

  /** @return whether {@code amount} was taken without passing the limit */
  boolean tryAcquire(long amount) {
    while (true) {
      long now = used.get();
      if (now + amount > limit) {
        return false;
      }
      if (used.compareAndSet(now, now + amount)) {
        return true;
      }
    }
  }

  /** Adds (or with a negative delta gives back) an amount whatever the limit. */
  void adjust(long delta) {
    used.addAndGet(delta);
  }

  long used() {
    return used.get();
  }
}
