package org.ferrymq.security.ban;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bans in force. Reads ({@link #match}, {@link #all}) take the current immutable snapshot
 * without locking, so every lane may check a CONNECT against it; changes are serialised, written
 * to the {@link BanStore} first and published only once stored, so the list in force is always
 * the one a restart would load.
 */
public final class BanList {
  private final BanStore store;
  private volatile Snapshot current;

  /** A list without bans that keeps nothing across restarts. */
  public BanList() {
    this(BanStore.NONE);
  }

  /**
   * Loads the bans kept in {@code store}.
   *
   * @throws java.io.UncheckedIOException or {@link IllegalStateException} when it cannot be read
   */
  public BanList(BanStore store) {
    this.store = store;
    this.current = Snapshot.of(store.load());
  }

  /** The bans by key, and the address bans parsed once. */
  private record Snapshot(Map<String, Ban> byKey, List<Map.Entry<AddressRange, Ban>> ranges) {
    static Snapshot of(Collection<Ban> bans) {
      Map<String, Ban> byKey = new LinkedHashMap<>();
      List<Map.Entry<AddressRange, Ban>> ranges = new ArrayList<>();
      for (Ban b : bans) {
        byKey.put(b.key(), b);
      }
      for (Ban b : byKey.values()) {
        if (b.kind() == BanKind.ADDRESS) {
          ranges.add(Map.entry(AddressRange.parse(b.value()), b));
        }
      }
      return new Snapshot(Map.copyOf(byKey), List.copyOf(ranges));
    }
  }

  /**
   * Adds a ban, or replaces the one of the same kind and value (its reason and time).
   *
   * @throws java.io.UncheckedIOException when it cannot be stored; the list is then unchanged
   */
  public synchronized void add(Ban ban) {
    Map<String, Ban> next = new LinkedHashMap<>(current.byKey());
    next.put(ban.key(), ban);
    replace(next.values());
  }

  /**
   * Lifts a ban.
   *
   * @return whether there was one of that kind and value
   * @throws java.io.UncheckedIOException when the change cannot be stored
   */
  public synchronized boolean remove(BanKind kind, String value) {
    Map<String, Ban> next = new LinkedHashMap<>(current.byKey());
    if (next.remove(Ban.key(kind, value)) == null) {
      return false;
    }
    replace(next.values());
    return true;
  }

  private void replace(Collection<Ban> bans) {
    List<Ban> ordered = sorted(bans);
    store.save(ordered);
    current = Snapshot.of(ordered);
  }

  /** @return every ban, by kind, then value */
  public List<Ban> all() {
    return sorted(current.byKey().values());
  }

  private static List<Ban> sorted(Collection<Ban> bans) {
    return bans.stream().sorted(Comparator.comparing(Ban::kind).thenComparing(Ban::value))
        .toList();
  }

  /**
   * @param clientId the client identifier, or null
   * @param username the user name, or null
   * @param address the peer address, or null (in-process connections have none)
   * @return the first ban that matches, checked in that order; null when none does
   */
  public Ban match(String clientId, String username, InetAddress address) {
    Snapshot s = current;
    Ban b = clientId == null ? null : s.byKey().get(Ban.key(BanKind.CLIENT_ID, clientId));
    if (b == null && username != null) {
      b = s.byKey().get(Ban.key(BanKind.USERNAME, username));
    }
    if (b == null && address != null) {
      for (Map.Entry<AddressRange, Ban> range : s.ranges()) {
        if (range.getKey().contains(address)) {
          return range.getValue();
        }
      }
    }
    return b;
  }
}
