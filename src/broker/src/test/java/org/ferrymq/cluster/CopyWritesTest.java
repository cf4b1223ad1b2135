package org.ferrymq.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * An acknowledgement in mode persistent waits for the backup copies its lane wrote, even when
 * another lane's wait collected them first: ClusterIT's subscriber-node kill lost acknowledged
 * messages exactly where the copies of the dead node were missing while this did not hold.
 */
class CopyWritesTest {
  @Test
  void aWaitCoversWritesAnotherCallerCollectedFirst() {
    CopyWrites writes = new CopyWrites();
    CompletableFuture<Void> laneA = new CompletableFuture<>();
    writes.add(laneA);
    CompletableFuture<Void> collectedByLaneB = writes.written();
    CompletableFuture<Void> waitOfLaneA = writes.written();

    assertFalse(collectedByLaneB.isDone());
    assertFalse(waitOfLaneA.isDone(), "lane A's acknowledgement must wait for its copy");
    laneA.complete(null);
    assertTrue(collectedByLaneB.isDone());
    assertTrue(waitOfLaneA.isDone());
  }

  @Test
  void aLaterGroupWaitsForTheGroupsBeforeIt() {
    CopyWrites writes = new CopyWrites();
    CompletableFuture<Void> first = new CompletableFuture<>();
    CompletableFuture<Void> second = new CompletableFuture<>();
    writes.add(first);
    CompletableFuture<Void> firstGroup = writes.written();
    writes.add(second);
    CompletableFuture<Void> secondGroup = writes.written();

    second.complete(null);
    assertFalse(secondGroup.isDone(), "the first group's write is still under way");
    first.complete(null);
    assertTrue(firstGroup.isDone());
    assertTrue(secondGroup.isDone());
  }

  @Test
  void aFailedCopyEndsTheWaitAndDoesNotFailTheNextOnes() {
    CopyWrites writes = new CopyWrites();
    CompletableFuture<Void> failing = new CompletableFuture<>();
    writes.add(failing);
    CompletableFuture<Void> group = writes.written();
    failing.completeExceptionally(new IllegalStateException("member stopped"));

    assertTrue(group.isDone() && !group.isCompletedExceptionally());
    writes.add(CompletableFuture.completedFuture(null));
    CompletableFuture<Void> next = writes.written();
    assertTrue(next.isDone() && !next.isCompletedExceptionally());
  }

  @Test
  void nothingWrittenIsNothingToWaitFor() {
    assertTrue(new CopyWrites().written().isDone());
  }
}
