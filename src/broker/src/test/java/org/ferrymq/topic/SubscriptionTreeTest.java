package org.ferrymq.topic;

import static org.ferrymq.topic.Subscriptions.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.RetainHandling;
import org.junit.jupiter.api.Test;

class SubscriptionTreeTest {
  private final SubscriptionTree sut = new SubscriptionTree();

  @Test
  void emptyTreeMatchesNothing() {
    // Exercise
    RecordingSink sink = RecordingSink.match(sut, "a/b");

    // Verify
    assertEquals(List.of(), sink.keys());
    assertEquals(0, sut.size());
  }

  @Test
  void overlappingSubscriptionsOfOneClientAreEachReported() {
    for (String filter : List.of("a/b", "a/+", "#", "a/#", "+/b", "a/b/#", "a/c")) {
      sut.subscribe(entry("c", filter));
    }

    // Exercise
    RecordingSink sink = RecordingSink.match(sut, "a/b");

    // Verify
    assertEquals(List.of("c:#", "c:+/b", "c:a/#", "c:a/+", "c:a/b", "c:a/b/#"),
        sink.keys().stream().sorted().toList());
  }

  @Test
  void sameFilterOfSeveralClientsReportsEach() {
    sut.subscribe(entry("c1", "a/+"));
    sut.subscribe(entry("c2", "a/+"));

    // Exercise
    RecordingSink sink = RecordingSink.match(sut, "a/x");

    // Verify
    assertEquals(List.of("c1:a/+", "c2:a/+"), sink.keys());
  }

  @Test
  void firstSubscribeReturnsTrue() {
    // Exercise
    boolean created = sut.subscribe(entry("c", "a/b"));

    // Verify
    assertTrue(created);
    assertEquals(1, sut.size());
  }

  @Test
  void resubscribeReplacesOptionsAndReturnsFalse() {
    sut.subscribe(entry("c", "a/b", QoS.AT_MOST_ONCE));
    SubscriptionEntry updated = new SubscriptionEntry("c", "a/b", null, QoS.EXACTLY_ONCE, true,
        true, RetainHandling.DO_NOT_SEND, 7);

    // Exercise
    boolean created = sut.subscribe(updated);

    // Verify
    assertFalse(created);
    assertEquals(List.of(updated), RecordingSink.match(sut, "a/b").direct);
    assertEquals(List.of(updated), sut.subscriptionsOf("c"));
    assertEquals(1, sut.size());
  }

  @Test
  void unsubscribeRemovesOnlyThatFilterAndReportsWhetherItExisted() {
    sut.subscribe(entry("c", "a/b"));
    sut.subscribe(entry("c", "a/+"));

    // Exercise
    boolean removed = sut.unsubscribe("c", "a/b");
    boolean removedAgain = sut.unsubscribe("c", "a/b");

    // Verify
    assertTrue(removed);
    assertFalse(removedAgain);
    assertFalse(sut.unsubscribe("unknown", "a/+"));
    assertEquals(List.of("c:a/+"), RecordingSink.match(sut, "a/b").keys());
    assertEquals(1, sut.size());
  }

  @Test
  void unsubscribeAllRemovesEveryEntryOfTheClientAndReturnsThem() {
    SubscriptionEntry plain = entry("c", "a/b");
    SubscriptionEntry shared = entry("c", "$share/g/a/b");
    SubscriptionEntry wildcard = entry("c", "#");
    sut.subscribe(plain);
    sut.subscribe(shared);
    sut.subscribe(wildcard);
    sut.subscribe(entry("other", "a/b"));

    // Exercise
    List<SubscriptionEntry> removed = sut.unsubscribeAll("c");

    // Verify
    assertEquals(List.of(plain, shared, wildcard), removed);
    assertEquals(List.of(), sut.subscriptionsOf("c"));
    assertEquals(List.of("other:a/b"), RecordingSink.match(sut, "a/b").keys());
    assertEquals(1, sut.size());
    assertEquals(List.of(), sut.unsubscribeAll("c"));
  }

  @Test
  void subscriptionsOfListsInOrderOfFirstSubscription() {
    sut.subscribe(entry("c", "x"));
    sut.subscribe(entry("c", "$share/g/y"));
    sut.subscribe(entry("c", "z"));
    SubscriptionEntry replaced = entry("c", "x", QoS.EXACTLY_ONCE);
    sut.subscribe(replaced);

    // Exercise
    List<SubscriptionEntry> subscriptions = sut.subscriptionsOf("c");

    // Verify
    assertEquals(List.of(replaced, entry("c", "$share/g/y"), entry("c", "z")), subscriptions);
    assertThrows(UnsupportedOperationException.class, () -> subscriptions.add(replaced));
  }

  @Test
  void sizeCountsEverySharedMember() {
    sut.subscribe(entry("c1", "$share/g/a"));
    sut.subscribe(entry("c2", "$share/g/a"));
    sut.subscribe(entry("c1", "a"));

    // Exercise
    int size = sut.size();

    // Verify
    assertEquals(3, size);
  }

  @Test
  void sharedGroupIsReportedOnceWithAllMembersInJoiningOrder() {
    sut.subscribe(entry("c2", "$share/g/a/+"));
    sut.subscribe(entry("c1", "$share/g/a/+"));
    sut.subscribe(entry("c3", "$share/g/a/+"));

    // Exercise
    RecordingSink sink = RecordingSink.match(sut, "a/b");

    // Verify
    assertEquals(List.of(), sink.direct);
    assertEquals(1, sink.shared.size());
    SharedGroup group = sink.shared.get(0);
    assertEquals("g", group.shareName());
    assertEquals("a/+", group.filter());
    assertEquals(List.of("c2", "c1", "c3"),
        group.members().stream().map(SubscriptionEntry::clientId).toList());
  }

  @Test
  void twoShareNamesOnTheSameFilterAreTwoGroups() {
    sut.subscribe(entry("c1", "$share/g1/a"));
    sut.subscribe(entry("c2", "$share/g2/a"));

    // Exercise
    RecordingSink sink = RecordingSink.match(sut, "a");

    // Verify
    assertEquals(List.of("$share/g1/a", "$share/g2/a"), sink.keys());
  }

  @Test
  void oneShareNameOnDifferentFiltersIsTwoGroups() {
    sut.subscribe(entry("c1", "$share/g/a/b"));
    sut.subscribe(entry("c2", "$share/g/a/+"));

    // Exercise
    RecordingSink sink = RecordingSink.match(sut, "a/b");

    // Verify
    assertEquals(List.of("$share/g/a/+", "$share/g/a/b"), sink.keys().stream().sorted().toList());
    sink.shared.forEach(group -> assertEquals(1, group.members().size()));
  }

  @Test
  void sharedAndPlainSubscriptionOfOneClientOnOneFilterAreDistinct() {
    sut.subscribe(entry("c", "a"));
    sut.subscribe(entry("c", "$share/g/a"));

    // Exercise
    boolean removed = sut.unsubscribe("c", "$share/g/a");

    // Verify
    assertTrue(removed);
    assertEquals(List.of("c:a"), RecordingSink.match(sut, "a").keys());
  }

  @Test
  void groupKeepsItsIdentityAndCounterWhileMembersJoinAndLeave() {
    sut.subscribe(entry("c1", "$share/g/a"));
    SharedGroup before = RecordingSink.match(sut, "a").shared.get(0);
    before.nextRoundRobin();

    // Exercise
    sut.subscribe(entry("c2", "$share/g/a"));
    sut.unsubscribe("c1", "$share/g/a");

    // Verify
    SharedGroup after = RecordingSink.match(sut, "a").shared.get(0);
    assertSame(before, after);
    assertEquals(1, after.nextRoundRobin());
    assertEquals(List.of(entry("c2", "$share/g/a")), after.members());
  }

  @Test
  void resubscribeInGroupReplacesMemberInPlace() {
    sut.subscribe(entry("c1", "$share/g/a"));
    sut.subscribe(entry("c2", "$share/g/a"));
    SubscriptionEntry updated = entry("c1", "$share/g/a", QoS.EXACTLY_ONCE);

    // Exercise
    boolean created = sut.subscribe(updated);

    // Verify
    assertFalse(created);
    assertEquals(List.of(updated, entry("c2", "$share/g/a")),
        RecordingSink.match(sut, "a").shared.get(0).members());
    assertEquals(2, sut.size());
  }

  @Test
  void groupIsRemovedWhenItsLastMemberLeaves() {
    sut.subscribe(entry("c1", "$share/g/a/b"));
    sut.subscribe(entry("c2", "$share/g/a/b"));
    SharedGroup group = RecordingSink.match(sut, "a/b").shared.get(0);

    // Exercise
    sut.unsubscribe("c1", "$share/g/a/b");
    sut.unsubscribeAll("c2");

    // Verify
    assertEquals(List.of(), RecordingSink.match(sut, "a/b").keys());
    assertEquals(List.of(), group.members());
    assertEquals(1, sut.nodeCount());
    assertEquals(0, sut.size());
  }

  @Test
  void unsubscribingEverythingPrunesTheTreeToItsRoot() {
    List<String> filters = List.of("a/b/c", "a/b", "a/+/c", "#", "a/#", "+", "/", "a//b");
    filters.forEach(f -> sut.subscribe(entry("c", f)));
    filters.forEach(f -> sut.subscribe(entry("d", "$share/g/" + f)));

    // Exercise
    filters.forEach(f -> sut.unsubscribe("c", f));
    sut.unsubscribeAll("d");

    // Verify
    assertEquals(1, sut.nodeCount());
    assertEquals(0, sut.size());
  }

  @Test
  void pruningKeepsNodesThatStillHoldSubscriptionsOrChildren() {
    sut.subscribe(entry("c", "a/b/c"));
    sut.subscribe(entry("c", "a/d"));
    sut.subscribe(entry("c", "a/b/#"));

    // Exercise
    sut.unsubscribe("c", "a/b/c");

    // Verify
    assertEquals(4, sut.nodeCount(), "root, a, a/b (holds a/b/#), a/d");
    assertEquals(List.of("c:a/b/#"), RecordingSink.match(sut, "a/b/c").keys());
  }

  @Test
  void matchingCostGrowsWithTopicDepthNotWithSubscriptionCount() {
    for (int i = 0; i < 100_000; i++) {
      sut.subscribe(entry("c" + i, "t/" + i + "/x"));
    }
    sut.subscribe(entry("w", "t/+/x"));
    RecordingSink sink = new RecordingSink();

    // Exercise
    int visited = sut.matchCountingNodes("t/4242/x", sink);
    int visitedMiss = sut.matchCountingNodes("u/4242/x", new RecordingSink());

    // Verify
    assertEquals(List.of("c4242:t/4242/x", "w:t/+/x"), sink.keys());
    assertEquals(6, visited, "root, t, t/4242, t/4242/x, t/+, t/+/x");
    assertEquals(1, visitedMiss);
    assertEquals(100_001, sut.size());
  }

  @Test
  void sinkMayCallBackIntoTheTree() {
    sut.subscribe(entry("c1", "a"));
    sut.subscribe(entry("c2", "a"));

    // Exercise
    sut.match("a", new MatchSink() {
      @Override
      public void direct(SubscriptionEntry entry) {
        sut.unsubscribeAll(entry.clientId());
      }

      @Override
      public void shared(SharedGroup group) {
        throw new AssertionError("no shared subscriptions here");
      }
    });

    // Verify
    assertEquals(0, sut.size());
  }

  @Test
  void filtersDeeperThanTheLimitAreRefused() {
    String deepest = "a" + "/a".repeat(SubscriptionTree.MAX_FILTER_LEVELS - 1);

    // Exercise
    boolean created = sut.subscribe(entry("c", deepest));

    // Verify
    assertTrue(created);
    assertEquals(List.of("c:" + deepest), RecordingSink.match(sut, deepest).keys());
    assertThrows(IllegalArgumentException.class, () -> sut.subscribe(entry("c", deepest + "/a")));
  }

  @Test
  void matchingATopicMuchDeeperThanTheTreeStopsAtTheTree() {
    sut.subscribe(entry("c", "a/#"));
    String deepTopic = "a" + "/a".repeat(50_000);

    // Exercise
    RecordingSink sink = new RecordingSink();
    int visited = sut.matchCountingNodes(deepTopic, sink);

    // Verify
    assertEquals(List.of("c:a/#"), sink.keys());
    assertEquals(2, visited);
  }
}
