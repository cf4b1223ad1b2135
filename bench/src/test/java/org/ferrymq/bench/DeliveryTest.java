package org.ferrymq.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The acknowledged / received / lost / duplicate bookkeeping, without a broker. */
class DeliveryTest {

  private static SequenceSet range(long from, long to, long... except) {
    SequenceSet s = new SequenceSet();
    for (long n = from; n < to; n++) {
      boolean skip = false;
      for (long e : except) {
        skip |= e == n;
      }
      if (!skip) {
        s.add(n);
      }
    }
    return s;
  }

  @Test
  void sequenceSetCountsEachNumberOnceAndRepeatsAsDuplicates() {
    SequenceSet sut = new SequenceSet();

    assertTrue(sut.add(7));
    assertTrue(sut.add(0));
    assertFalse(sut.add(7));
    assertFalse(sut.add(7));

    assertEquals(2, sut.count());
    assertEquals(2, sut.duplicates());
    assertEquals("{0, 7}", sut.snapshot().toString());
    assertThrows(IllegalArgumentException.class, () -> sut.add(-1));
  }

  @Test
  void everyAcknowledgedMessageReceivedIsNotLost() {
    Delivery sut = Delivery.count(1, 10, List.of(range(0, 10)), List.of(List.of(range(0, 10))));

    assertEquals(10, sut.acked());
    assertEquals(10, sut.received());
    assertEquals(0, sut.lost());
    assertFalse(sut.failed());
  }

  @Test
  void acknowledgedButNotReceivedIsLostAndFails() {
    // Exercise: publisher 1's message 4 is acknowledged but never arrives
    Delivery sut = Delivery.count(1, 20, List.of(range(0, 10), range(0, 10)),
        List.of(List.of(range(0, 10), range(0, 10, 4))));

    // Verify
    assertEquals(20, sut.acked());
    assertEquals(19, sut.received());
    assertEquals(1, sut.lost());
    assertTrue(sut.failed());
    Result r = new Result("fanin", "b", "tcp");
    sut.addTo(r);
    assertEquals("FAILED", r.get("status"));
    assertEquals("1", r.get("lost"));
    assertEquals("20", r.get("acked"));
    assertEquals("s0/p1/n4", r.get("lost_sample"));
  }

  @Test
  void missingButNeverAcknowledgedIsNotLost() {
    // message 9 was sent but not acknowledged (still in flight, or refused): no promise broken
    Delivery sut = Delivery.count(1, 10, List.of(range(0, 9)),
        List.of(List.of(range(0, 9))));

    assertEquals(9, sut.acked());
    assertEquals(0, sut.lost());
    assertFalse(sut.failed());
  }

  @Test
  void receivedWithoutAcknowledgementCountsAsReceived() {
    // the PUBACK of message 9 was still on its way when the run ended
    Delivery sut = Delivery.count(1, 10, List.of(range(0, 9)),
        List.of(List.of(range(0, 10))));

    assertEquals(10, sut.received());
    assertEquals(0, sut.lost());
  }

  @Test
  void fanOutCountsEachSubscriberThatMissesAMessage() {
    Delivery sut = Delivery.count(1, 10, List.of(range(0, 10)), List.of(
        List.of(range(0, 10)), List.of(range(0, 10, 2, 3)), List.of(range(0, 10, 3))));

    assertEquals(10, sut.acked());
    assertEquals(27, sut.received());
    assertEquals(3, sut.lost());
    assertTrue(sut.failed());
    assertEquals("s1/p0/n2,s1/p0/n3,s2/p0/n3", sut.lostSample());
  }

  @Test
  void subscriberWithNothingFromAPublisherLosesAllItsAcknowledgedMessages() {
    Delivery sut = Delivery.count(1, 15, List.of(range(0, 10), range(0, 7)),
        List.of(List.of(range(0, 10))));

    assertEquals(7, sut.lost());
    assertEquals("s0/p1/n0,s0/p1/n1,s0/p1/n2,s0/p1/n3,s0/p1/n4", sut.lostSample(),
        "at most five");
  }

  @Test
  void duplicatesFailQos2ButNotQos1() {
    SequenceSet twice = range(0, 10);
    twice.add(5);

    Delivery qos1 = Delivery.count(1, 10, List.of(range(0, 10)), List.of(List.of(twice)));
    Delivery qos2 = Delivery.count(2, 10, List.of(range(0, 10)), List.of(List.of(twice)));

    assertEquals(1, qos1.duplicates());
    assertFalse(qos1.failed(), "at least once allows a second copy");
    assertEquals(1, qos2.duplicates());
    assertEquals(0, qos2.lost());
    assertTrue(qos2.failed(), "exactly once does not");
  }

  @Test
  void qos0LostIsSentPerSubscriberMinusReceivedAndNeverFails() {
    Delivery sut = Delivery.count(0, 10, List.of(new SequenceSet()),
        List.of(List.of(range(0, 10, 1, 2)), List.of(range(0, 10))));

    assertEquals(-1, sut.acked());
    assertEquals(18, sut.received());
    assertEquals(2, sut.lost());
    assertFalse(sut.failed());
    Result r = new Result("fanin", "b", "tcp");
    sut.addTo(r);
    assertEquals(null, r.get("acked"));
    assertEquals(null, r.get("lost_sample"), "QoS 0 promised nothing");
    assertEquals("ok", r.get("status"));
  }
}
