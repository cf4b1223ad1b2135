package org.ferrymq.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class DeliveryAttemptsTest {

  private final List<Long> pauses = new ArrayList<>();
  private final List<Integer> failures = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private DeliveryAttempts sut(int maxRedeliveries, long delay) {
    return new DeliveryAttempts(new RedeliveryPolicy(maxRedeliveries, delay, "dlq"),
        pauses::add, closed::get);
  }

  @Test
  void aDeliveryThatSucceedsIsNotRepeated() {
    List<Integer> attempts = new ArrayList<>();

    // Exercise
    DeliveryAttempts.Outcome outcome = sut(5, 1000).run(attempts::add,
        (n, e) -> failures.add(n));

    // Verify
    assertEquals(DeliveryAttempts.Outcome.DELIVERED, outcome);
    assertEquals(List.of(1), attempts);
    assertEquals(List.of(), pauses);
  }

  @Test
  void aBeanThatThrowsTwiceGetsTheMessageAThirdTimeAfterTwoDelays() {
    List<Integer> attempts = new ArrayList<>();

    // Exercise
    DeliveryAttempts.Outcome outcome = sut(5, 250).run(n -> {
      attempts.add(n);
      if (n <= 2) {
        throw new IllegalStateException("failure " + n);
      }
    }, (n, e) -> failures.add(n));

    // Verify
    assertEquals(DeliveryAttempts.Outcome.DELIVERED, outcome);
    assertEquals(List.of(1, 2, 3), attempts);
    assertEquals(List.of(1, 2), failures);
    assertEquals(List.of(250L, 250L), pauses);
  }

  @Test
  void aMessageThatFailsEveryDeliveryEndsAsFailedWithoutAWaitAfterTheLast() {
    List<Integer> attempts = new ArrayList<>();

    // Exercise
    DeliveryAttempts.Outcome outcome = sut(3, 10).run(n -> {
      attempts.add(n);
      throw new IllegalStateException("always");
    }, (n, e) -> failures.add(n));

    // Verify
    assertEquals(DeliveryAttempts.Outcome.FAILED, outcome);
    assertEquals(List.of(1, 2, 3, 4), attempts);
    assertEquals(List.of(1, 2, 3, 4), failures);
    assertEquals(List.of(10L, 10L, 10L), pauses);
  }

  @Test
  void noRedeliveriesMeansOneDelivery() {
    DeliveryAttempts.Outcome outcome = sut(0, 10).run(n -> {
      throw new IllegalStateException("once");
    }, (n, e) -> failures.add(n));

    assertEquals(DeliveryAttempts.Outcome.FAILED, outcome);
    assertEquals(List.of(1), failures);
    assertEquals(List.of(), pauses);
  }

  @Test
  void anActivationClosedDuringTheWaitAbandonsTheMessage() {
    List<Integer> attempts = new ArrayList<>();
    DeliveryAttempts sut = new DeliveryAttempts(new RedeliveryPolicy(5, 10, "dlq"),
        millis -> closed.set(true), closed::get);

    // Exercise
    DeliveryAttempts.Outcome outcome = sut.run(n -> {
      attempts.add(n);
      throw new IllegalStateException("failure");
    }, (n, e) -> failures.add(n));

    // Verify
    assertEquals(DeliveryAttempts.Outcome.ABANDONED, outcome);
    assertEquals(List.of(1), attempts);
  }

  @Test
  void anInterruptedWaitAbandonsTheMessageAndKeepsTheInterrupt() {
    DeliveryAttempts sut = new DeliveryAttempts(new RedeliveryPolicy(5, 10, "dlq"),
        millis -> {
          throw new InterruptedException();
        }, closed::get);

    // Exercise
    DeliveryAttempts.Outcome outcome = sut.run(n -> {
      throw new IllegalStateException("failure");
    }, (n, e) -> failures.add(n));

    // Verify
    assertEquals(DeliveryAttempts.Outcome.ABANDONED, outcome);
    assertEquals(true, Thread.interrupted());
  }
}
