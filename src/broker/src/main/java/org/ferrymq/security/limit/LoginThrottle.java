package org.ferrymq.security.limit;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Slows down password guessing: failed logins are counted per source address and per user name,
 * and once either has had {@code allowedFailures} within a window, further attempts from that
 * address or for that user are refused without asking the credential store, for a back-off that
 * starts at {@link #FIRST_BACKOFF_NANOS} and doubles with each further episode up to a maximum.
 * Each window without a failure lowers the back-off one step, and a successful login clears its
 * user name, so the real user is never locked out for longer than the maximum back-off.
 *
 * <p>IPv6 sources are counted per /64 prefix, the block one host usually controls; IPv4 sources
 * per address. Each table holds at most {@code maxTracked} entries: when it is full, idle entries
 * go first, then entries that refuse nothing now, so millions of distinct addresses or names
 * cost bounded memory and the entries that do refuse stay. A new key that finds the table full of
 * refusing entries is not tracked (counted by {@link #untracked()}).
 *
 * <p>The start of each episode is logged once, naming the address or user, the failures and the
 * back-off; the attempts refused during it are only counted. Thread-safe: the tables are
 * concurrent and each entry changes under its own monitor.
 */
public final class LoginThrottle {

  private static final Logger LOG = Logger.getLogger(LoginThrottle.class.getName());
  static final long FIRST_BACKOFF_NANOS = 1_000_000_000L;
  /** Doubling stops here: 2^20 s is beyond any maximum the settings allow. */
  private static final int MAX_LEVEL = 20;

  private final int allowedFailures;
  private final long windowNanos;
  private final long maxBackoffNanos;
  private final LongSupplier nanoTime;
  private final Table addresses;
  private final Table users;
  private final AtomicLong untracked = new AtomicLong();

  /** Why an attempt is refused, and for how much longer. */
  public record Refusal(String what, long remainingMillis) {
  }

  /**
   * @param allowedFailures failures per window before the back-off; 0 disables the throttle
   * @param windowSeconds the counting window
   * @param maxBackoffSeconds the longest back-off
   * @param maxTracked entries per table
   * @param nanoTime the monotonic clock; tests pass a controllable one
   */
  public LoginThrottle(int allowedFailures, long windowSeconds, long maxBackoffSeconds,
      int maxTracked, LongSupplier nanoTime) {
    if (allowedFailures < 0 || windowSeconds < 1 || maxBackoffSeconds < 1 || maxTracked < 1) {
      throw new IllegalArgumentException("invalid throttle limits");
    }
    this.allowedFailures = allowedFailures;
    this.windowNanos = windowSeconds * 1_000_000_000L;
    this.maxBackoffNanos = maxBackoffSeconds * 1_000_000_000L;
    this.nanoTime = nanoTime;
    this.addresses = new Table("address", maxTracked);
    this.users = new Table("user", maxTracked);
  }

  /** @return whether failures are counted at all */
  public boolean isEnabled() {
    return allowedFailures > 0;
  }

  /**
   * @param address the source, null when unknown (in-process)
   * @param user the user name given, null when none
   * @return why the attempt must be refused unchecked, or null when it may be checked
   */
  public Refusal check(InetAddress address, String user) {
    if (!isEnabled()) {
      return null;
    }
    long now = nanoTime.getAsLong();
    Refusal r = addresses.check(keyOf(address), now);
    return r != null ? r : users.check(userKey(user), now);
  }

  /** Counts a failed login against the address and the user name. */
  public void failed(InetAddress address, String user) {
    if (!isEnabled()) {
      return;
    }
    long now = nanoTime.getAsLong();
    addresses.failed(keyOf(address), now);
    users.failed(userKey(user), now);
  }

  /** The user proved its password: its name's failures are forgotten, its address's are not. */
  public void succeeded(String user) {
    if (user != null) {
      users.entries.remove(userKey(user));
    }
  }

  /**
   * Spellings a case-insensitive registry (LDAP) takes for the same user count as one name:
   * guessing with {@code ALICE}, {@code alice } and {@code Alice} is guessing at alice.
   */
  private static String userKey(String user) {
    return user == null ? null : user.strip().toLowerCase(java.util.Locale.ROOT);
  }

  /** @return addresses plus user names tracked now */
  public int tracked() {
    return addresses.entries.size() + users.entries.size();
  }

  /** @return failures not tracked because a table was full of entries that refuse */
  public long untracked() {
    return untracked.get();
  }

  /** IPv6 hosts usually own a /64; counting per address would let one host rotate freely. */
  static String keyOf(InetAddress address) {
    if (address == null) {
      return null;
    }
    if (address instanceof Inet6Address) {
      byte[] b = address.getAddress();
      StringBuilder prefix = new StringBuilder(24);
      for (int i = 0; i < 8; i += 2) {
        prefix.append(Integer.toHexString(((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF))).append(':');
      }
      return prefix.append(":/64").toString();
    }
    return address.getHostAddress();
  }

  /** One kind of key (addresses or user names) and its entries. */
  private final class Table {
    private final String kind;
    private final int maxTracked;
    final Map<String, Entry> entries = new ConcurrentHashMap<>();

    Table(String kind, int maxTracked) {
      this.kind = kind;
      this.maxTracked = maxTracked;
    }

    Refusal check(String key, long now) {
      if (key == null) {
        return null;
      }
      Entry e = entries.get(key);
      long remaining = e == null ? 0 : e.blockedFor(now);
      return remaining > 0 ? new Refusal(kind + " " + key, remaining / 1_000_000 + 1) : null;
    }

    void failed(String key, long now) {
      if (key == null) {
        return;
      }
      Entry e = entries.get(key);
      if (e == null) {
        if (entries.size() >= maxTracked && !makeRoom(now)) {
          untracked.incrementAndGet();
          return;
        }
        e = entries.computeIfAbsent(key, k -> new Entry(now));
      }
      long backoff = e.failed(now);
      if (backoff > 0) {
        LOG.warning(() -> "Throttling logins of " + kind + " '" + key + "' for "
            + backoff / 1_000_000_000L + " s after " + allowedFailures + " failed logins within "
            + windowNanos / 1_000_000_000L + " s (mqtt.auth.throttle.*); attempts are refused "
            + "unchecked until then");
      }
    }

    /**
     * Forgets idle entries, else up to a tenth of the entries that refuse nothing now, so the
     * next sweeps come that many failures later (amortised).
     *
     * @return whether there is room now
     */
    private boolean makeRoom(long now) {
      entries.values().removeIf(e -> e.idle(now));
      int toFree = Math.max(1, maxTracked / 10) - (maxTracked - entries.size());
      for (Iterator<Entry> it = entries.values().iterator(); toFree > 0 && it.hasNext(); ) {
        if (it.next().blockedFor(now) == 0) {
          it.remove();
          toFree--;
        }
      }
      return entries.size() < maxTracked;
    }
  }

  /** The failures of one key. */
  private final class Entry {
    private int failures;
    private long windowStart;
    private int level;
    private long levelSince;
    private long blockedUntil;

    Entry(long now) {
      windowStart = now;
      levelSince = now;
      blockedUntil = now;
    }

    /** @return the back-off that starts now, or 0 when this failure does not start one */
    synchronized long failed(long now) {
      decay(now);
      if (now - windowStart >= windowNanos) {
        windowStart = now;
        failures = 0;
      }
      failures++;
      levelSince = now;
      if (failures < allowedFailures) {
        return 0;
      }
      level = Math.min(MAX_LEVEL, level + 1);
      long backoff = Math.min(maxBackoffNanos, FIRST_BACKOFF_NANOS << (level - 1));
      blockedUntil = now + backoff;
      failures = 0;
      windowStart = now;
      return backoff;
    }

    synchronized long blockedFor(long now) {
      return Math.max(0, blockedUntil - now);
    }

    synchronized boolean idle(long now) {
      decay(now);
      return level == 0 && blockedUntil - now <= 0 && now - windowStart >= windowNanos;
    }

    /** One step down for every whole window without a failure. */
    private void decay(long now) {
      long quiet = (now - levelSince) / windowNanos;
      if (quiet > 0 && level > 0) {
        level = (int) Math.max(0, level - quiet);
        levelSince += quiet * windowNanos;
      }
    }
  }
}
