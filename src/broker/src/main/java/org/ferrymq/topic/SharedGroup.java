package org.ferrymq.topic;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * All members of one shared subscription group on one filter ({@code $share/<shareName>/<filter>}).
 * The index hands groups to {@link MatchSink#shared}; the engine picks the receiver, typically
 * {@code members().get(Math.floorMod(nextRoundRobin(), members().size()))} on one snapshot.
 *
 * <p>Thread-safe: the member list is an immutable snapshot replaced copy-on-write by the index
 * while it holds the lock of the tree node that owns the group; readers never lock. The group
 * object lives as long as it has members, so its round-robin counter survives joins and leaves.
 */
public final class SharedGroup {
  private final String shareName;
  private final String filter;
  private final AtomicInteger roundRobin = new AtomicInteger();
  private volatile List<SubscriptionEntry> members;

  SharedGroup(SubscriptionEntry first) {
    this.shareName = first.shareName();
    this.filter = first.filter();
    this.members = List.of(first);
  }

  /** @return the share name */
  public String shareName() {
    return shareName;
  }

  /** @return the plain topic filter of the group */
  public String filter() {
    return filter;
  }

  /** @return an immutable snapshot of the members in order of joining */
  public List<SubscriptionEntry> members() {
    return members;
  }

  /**
   * Advances the group's round-robin counter. The value wraps around to negative numbers, so use
   * {@link Math#floorMod(int, int)} with the member count.
   *
   * @return the value before the increment
   */
  public int nextRoundRobin() {
    return roundRobin.getAndIncrement();
  }

  /** Adds or replaces (same client) a member in place. Caller holds the owning node's lock. */
  void put(SubscriptionEntry entry) {
    List<SubscriptionEntry> current = members;
    List<SubscriptionEntry> updated = new ArrayList<>(current.size() + 1);
    boolean replaced = false;
    for (SubscriptionEntry member : current) {
      if (member.clientId().equals(entry.clientId())) {
        updated.add(entry);
        replaced = true;
      } else {
        updated.add(member);
      }
    }
    if (!replaced) {
      updated.add(entry);
    }
    members = List.copyOf(updated);
  }

  /** Removes a member. Caller holds the owning node's lock. */
  void remove(String clientId) {
    List<SubscriptionEntry> current = members;
    List<SubscriptionEntry> updated = new ArrayList<>(current.size());
    for (SubscriptionEntry member : current) {
      if (!member.clientId().equals(clientId)) {
        updated.add(member);
      }
    }
    members = List.copyOf(updated);
  }

  @Override
  public String toString() {
    return "SharedGroup[" + Topics.SHARE_PREFIX + shareName + '/' + filter + ", members="
        + members.size() + ']';
  }
}
