package org.ferrymq.engine;

/**
 * How fast the packet now arriving on one connection comes in, so the timer can close a client
 * that dribbles one ({@code mqtt.min-packet-rate}): a slow-loris client holds a connection and
 * its partial buffer while sending a byte now and then, and keep alive alone does not catch it
 * when the client asked for none.
 *
 * <p>The transport thread writes, the lane's sweep reads; the two fields are read together
 * without a lock because a stale pair only delays the verdict by one sweep.
 */
final class PacketPace {
  /** When the first byte of the packet in progress arrived; 0 while none is in progress. */
  private volatile long startedNanos;
  /** Bytes of it received so far. */
  private volatile int bytes;

  /** Bytes of an incomplete packet are held; {@code fresh} when they begin a new packet. */
  void arrived(int heldBytes, boolean fresh, long nowNanos) {
    if (fresh || startedNanos == 0) {
      startedNanos = nowNanos;
    }
    bytes = heldBytes;
  }

  /** Nothing incomplete is held. */
  void idle() {
    startedNanos = 0;
    bytes = 0;
  }

  /**
   * @param countFromNanos time from which slowness counts at the earliest (reading was paused
   *     by the broker before it, which is not the client's fault)
   * @param graceNanos how long any packet may take whatever its rate
   * @param minBytesPerSecond the rate a packet older than the grace must have averaged
   * @return whether the packet in progress is arriving too slowly
   */
  boolean tooSlow(long nowNanos, long countFromNanos, long graceNanos, long minBytesPerSecond) {
    long started = startedNanos;
    if (started == 0 || minBytesPerSecond == 0) {
      return false;
    }
    long elapsed = nowNanos - Math.max(started, countFromNanos);
    return elapsed > graceNanos && bytes * 1_000_000_000L / elapsed < minBytesPerSecond;
  }
}
