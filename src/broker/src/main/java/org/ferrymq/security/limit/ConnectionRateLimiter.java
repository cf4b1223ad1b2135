package org.ferrymq.security.limit;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per source address: each address may open {@code burst} connections at once and
 * then {@code ratePerSecond} more per second. Idle buckets (full again) are forgotten once the
 * table grows past {@link #TABLE_LIMIT} addresses, so a scan of many addresses cannot grow it
 * without bound.
 *
 * <p>Thread-safe: the table is concurrent and each bucket is updated under its own monitor.
 */
public final class ConnectionRateLimiter {

  static final int TABLE_LIMIT = 10_000;
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final double ratePerNano;
  private final int burst;
  private final LongSupplier nanoTime;
  private final Map<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();

  /**
   * @param ratePerSecond tokens added per second, at least 1
   * @param burst bucket capacity, at least 1
   * @param nanoTime the monotonic clock; tests pass a controllable one
   */
  public ConnectionRateLimiter(int ratePerSecond, int burst, LongSupplier nanoTime) {
    if (ratePerSecond < 1 || burst < 1) {
      throw new IllegalArgumentException("rate and burst must be at least 1");
    }
    this.ratePerNano = (double) ratePerSecond / NANOS_PER_SECOND;
    this.burst = burst;
    this.nanoTime = nanoTime;
  }

  /**
   * Takes one token for the address.
   *
   * @return whether the connection may proceed
   */
  public boolean tryAcquire(InetAddress address) {
    long now = nanoTime.getAsLong();
    if (buckets.size() > TABLE_LIMIT) {
      buckets.values().removeIf(b -> b.isFull(now));
    }
    return buckets.computeIfAbsent(address, a -> new Bucket(burst, now)).take(now);
  }

  /** @return the number of addresses tracked */
  int tracked() {
    return buckets.size();
  }

  private final class Bucket {
    private double tokens;
    private long refilledAt;

    Bucket(int tokens, long now) {
      this.tokens = tokens;
      this.refilledAt = now;
    }

    synchronized boolean take(long now) {
      refill(now);
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }

    synchronized boolean isFull(long now) {
      refill(now);
      return tokens >= burst;
    }

    private void refill(long now) {
      long elapsed = now - refilledAt;
      if (elapsed > 0) {
        tokens = Math.min(burst, tokens + elapsed * ratePerNano);
        refilledAt = now;
      }
    }
  }
}
