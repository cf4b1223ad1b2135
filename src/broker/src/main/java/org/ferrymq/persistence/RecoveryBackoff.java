package org.ferrymq.persistence;

import org.ferrymq.config.ConfigException;

/**
 * How often a failed store is probed: the first attempt after {@code initialMillis}, each
 * further one after twice the previous delay, at most {@code maxMillis}. Short outages (a
 * database failover, a full disk an operator clears) end within a fraction of a second of
 * their cause; a long one costs one open attempt every {@code maxMillis}.
 *
 * @param initialMillis delay before the first reopen attempt ({@value #INITIAL_KEY})
 * @param maxMillis longest delay between attempts ({@value #MAX_KEY})
 */
public record RecoveryBackoff(long initialMillis, long maxMillis) {

  /** Milliseconds before the first attempt to reopen a failed store. */
  public static final String INITIAL_KEY = "mqtt.persistence.recovery-initial-ms";
  /** Longest milliseconds between attempts to reopen a failed store. */
  public static final String MAX_KEY = "mqtt.persistence.recovery-max-ms";
  public static final long DEFAULT_INITIAL_MILLIS = 200;
  public static final long DEFAULT_MAX_MILLIS = 10_000;
  static final long LIMIT_MILLIS = 600_000;

  /** Checks the bounds; the message names the key. */
  public RecoveryBackoff {
    if (initialMillis < 1 || initialMillis > LIMIT_MILLIS) {
      throw new ConfigException(INITIAL_KEY, "must be between 1 and " + LIMIT_MILLIS
          + " but was " + initialMillis);
    }
    if (maxMillis < initialMillis || maxMillis > LIMIT_MILLIS) {
      throw new ConfigException(MAX_KEY, "must be between " + INITIAL_KEY + " (" + initialMillis
          + ") and " + LIMIT_MILLIS + " but was " + maxMillis);
    }
  }

  /** @return 200 ms doubling up to 10 s */
  public static RecoveryBackoff defaults() {
    return new RecoveryBackoff(DEFAULT_INITIAL_MILLIS, DEFAULT_MAX_MILLIS);
  }

  /**
   * @param attempt 0 for the first attempt
   * @return milliseconds to wait before that attempt
   */
  public long delayMillis(int attempt) {
    long delay = initialMillis;
    for (int i = 0; i < attempt && delay < maxMillis; i++) {
      delay *= 2;
    }
    return Math.min(delay, maxMillis);
  }
}
