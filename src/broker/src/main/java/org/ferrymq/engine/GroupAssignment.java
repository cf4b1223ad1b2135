package org.ferrymq.engine;

import java.util.List;

/**
 * The shared groups a cluster peer serves with a message forwarded to it: for each, the peer
 * delivers the message to one of its own members of that group, and to no other group's members
 * (each group's copy goes to one node only [MQTT-4.8.2]; the origin chose the node).
 *
 * @param sharedFilters the groups, as {@code $share/<name>/<filter>}
 * @param relayed whether the message was passed on by a node that had been chosen for these
 *     groups and had no member left (or whose member left after taking it): a relayed group's
 *     copy is not passed on again, which bounds relaying to one hop
 */
public record GroupAssignment(List<String> sharedFilters, boolean relayed) {
  /** No group: the peer delivers to its non-shared subscribers only. */
  public static final GroupAssignment NONE = new GroupAssignment(List.of(), false);

  /** Copies the list. */
  public GroupAssignment {
    sharedFilters = List.copyOf(sharedFilters);
  }

  /** @return whether the peer serves no group with the message */
  public boolean isEmpty() {
    return sharedFilters.isEmpty();
  }
}
