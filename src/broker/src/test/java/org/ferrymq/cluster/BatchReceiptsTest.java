package org.ferrymq.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Each QoS 1/2 message of a forwarded batch is settled with its origin exactly once: as its
 * sessions take it, or as failed at the batch's one deadline; a QoS 0 message never.
 */
class BatchReceiptsTest {
  private final List<String> settled = new CopyOnWriteArrayList<>();
  private final BatchReceipts sut =
      new BatchReceipts(100, 3, (id, outcome) -> settled.add(id + "=" + outcome));

  @Test
  void aMessageIsSettledOnceAndTheDeadlineFailsOnlyThoseStillOwed() {
    sut.notOwed(2); // QoS 0
    sut.settle(0, Inbox.TAKEN);
    sut.settle(0, Inbox.FAILED);

    sut.expire();
    sut.settle(1, Inbox.TAKEN); // too late: the deadline settled it

    assertEquals(List.of("100=" + Inbox.TAKEN, "101=" + Inbox.FAILED), settled);
  }

  @Test
  void theDeadlineIsSetOncePerBatch() {
    sut.notOwed(1);
    sut.notOwed(2);
    sut.expireAfter(20);
    // a later release of the same batch does not postpone its deadline, nor add a second
    sut.expireAfter(60_000);

    await().atMost(Duration.ofSeconds(10)).until(() -> settled.size() == 1);
    assertEquals(List.of("100=" + Inbox.FAILED), settled);
  }
}
