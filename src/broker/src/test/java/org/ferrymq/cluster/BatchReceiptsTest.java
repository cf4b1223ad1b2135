package org.ferrymq.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class BatchReceiptsTest {

  /** Records what would be sent to the origin; no cluster behind it. */
  private static final class Recorded implements BatchReceipts.Sink {
    final Map<Long, List<Byte>> outcomes = new ConcurrentHashMap<>();

    @Override
    public void settle(long id, byte outcome) {
      outcomes.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(outcome);
    }
  }

  @Test
  void eachOwedMessageIsSettledOnceAndTheDeadlineFailsOnlyThoseStillOwed() {
    Recorded to = new Recorded();
    BatchReceipts receipts = new BatchReceipts(100, 4, to);
    receipts.notOwed(1);
    receipts.settle(0, Inbox.TAKEN);
    receipts.settle(0, Inbox.FAILED);
    receipts.expire();
    receipts.settle(2, Inbox.TAKEN);

    assertEquals(Map.of(100L, List.of(Inbox.TAKEN), 102L, List.of(Inbox.FAILED),
        103L, List.of(Inbox.FAILED)), to.outcomes);
  }

  @Test
  void theDeadlineComesByItselfAfterTheTimeout() {
    Recorded to = new Recorded();
    BatchReceipts receipts = new BatchReceipts(1, 2, to);
    receipts.settle(1, Inbox.TAKEN);
    receipts.expireAfter(50);

    await().atMost(Duration.ofSeconds(5)).until(() -> to.outcomes.containsKey(1L));
    assertEquals(Map.of(1L, List.of(Inbox.FAILED), 2L, List.of(Inbox.TAKEN)), to.outcomes);
  }
}
