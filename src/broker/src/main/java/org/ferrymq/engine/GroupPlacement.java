package org.ferrymq.engine;

import java.util.List;
import java.util.function.ToIntFunction;
import org.ferrymq.topic.SubscriptionEntry;

/**
 * Chooses the node that serves a shared group's copy of one message when the group has members
 * on several nodes of a cluster: a weighted round robin over the nodes, each weighted by its
 * number of members of the group, so that over a run of messages every member cluster-wide gets
 * about the same share. The chosen node then picks one of its own members with the configured
 * {@code mqtt.shared-strategy}.
 */
final class GroupPlacement {
  /** The choice of this node. */
  static final int HERE = -1;

  private GroupPlacement() {
  }

  /**
   * @param ticket the group's round-robin counter, advanced once per message (it may be
   *     negative once it wrapped around)
   * @param membersHere the group's members on this node
   * @param peers the entries of the peers with members of the group, one per peer
   * @param membersOf how many members a peer's entry stands for (at least 1 is assumed)
   * @return {@link #HERE}, or the index in {@code peers} of the chosen peer
   */
  static int choose(int ticket, int membersHere, List<SubscriptionEntry> peers,
      ToIntFunction<SubscriptionEntry> membersOf) {
    long total = membersHere;
    for (SubscriptionEntry p : peers) {
      total += Math.max(1, membersOf.applyAsInt(p));
    }
    if (total == 0) {
      return HERE;
    }
    long position = Math.floorMod((long) ticket, total);
    if (position < membersHere) {
      return HERE;
    }
    position -= membersHere;
    for (int i = 0; i < peers.size(); i++) {
      position -= Math.max(1, membersOf.applyAsInt(peers.get(i)));
      if (position < 0) {
        return i;
      }
    }
    return peers.size() - 1;
  }
}
