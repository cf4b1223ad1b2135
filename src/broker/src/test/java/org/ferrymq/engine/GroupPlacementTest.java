package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.Subscription;
import org.ferrymq.topic.SubscriptionEntry;
import org.junit.jupiter.api.Test;

/**
 * A shared group spread over nodes gets each message on one node [MQTT-4.8.2], chosen in a
 * weighted round robin so that every member cluster-wide gets about the same share.
 */
class GroupPlacementTest {
  private final SubscriptionEntry b = peer("node-b");
  private final SubscriptionEntry c = peer("node-c");
  private final Map<SubscriptionEntry, Integer> members = Map.of(b, 1, c, 3);

  private static SubscriptionEntry peer(String node) {
    return SubscriptionEntry.of(PeerKey.of(node), new Subscription("$share/g/t/#",
        QoS.EXACTLY_ONCE), 0);
  }

  @Test
  void eachNodeGetsItsMembersShareOfTheMessages() {
    int[] counts = new int[3];

    // Exercise: two members here, one on B, three on C: 6 positions per round
    for (int ticket = 0; ticket < 600; ticket++) {
      counts[GroupPlacement.choose(ticket, 2, List.of(b, c), members::get) + 1]++;
    }

    // Verify: each node's share matches its member count
    assertEquals(200, counts[0], "here");
    assertEquals(100, counts[1], "node B");
    assertEquals(300, counts[2], "node C");
  }

  @Test
  void aCounterThatWrappedAroundStillChoosesAValidNode() {
    for (int ticket = Integer.MIN_VALUE; ticket < Integer.MIN_VALUE + 12; ticket++) {
      int choice = GroupPlacement.choose(ticket, 1, List.of(b, c), members::get);
      assertEquals(true, choice >= GroupPlacement.HERE && choice < 2, "choice " + choice);
    }
  }

  @Test
  void withoutMembersHereAPeerIsAlwaysChosen() {
    for (int ticket = 0; ticket < 8; ticket++) {
      int choice = GroupPlacement.choose(ticket, 0, List.of(b, c), members::get);
      assertEquals(ticket % 4 == 0 ? 0 : 1, choice, "ticket " + ticket);
    }
  }

  @Test
  void withoutPeersThisNodeIsChosen() {
    assertEquals(GroupPlacement.HERE, GroupPlacement.choose(5, 2, List.of(), members::get));
  }

  @Test
  void aPeerWhoseCountIsNotKnownCountsAsOneMember() {
    int[] counts = new int[2];
    for (int ticket = 0; ticket < 10; ticket++) {
      counts[GroupPlacement.choose(ticket, 1, List.of(b), e -> 0) + 1]++;
    }
    assertEquals(5, counts[0]);
    assertEquals(5, counts[1]);
  }
}
