package org.ferrymq.ra;

import java.util.function.BooleanSupplier;

/**
 * Delivers one message to a bean under a {@link RedeliveryPolicy}: the first delivery, then a
 * redelivery after each failure until the policy's count is spent. The waits happen on the
 * calling (work) thread, so the bean's later messages wait too and its order is kept, as with a
 * JMS consumer's redelivery delay. Stateless apart from its collaborators.
 */
final class DeliveryAttempts {

  /** One delivery of the message; a thrown exception is a failed delivery. */
  @FunctionalInterface
  interface Attempt {
    void deliver(int attempt) throws Exception;
  }

  /** Waits between attempts; tests pass one that records instead of sleeping. */
  @FunctionalInterface
  interface Pause {
    void pause(long millis) throws InterruptedException;
  }

  /** How a message's delivery ended. */
  enum Outcome {
    /** {@code onMessage} returned. */
    DELIVERED,
    /** Every delivery failed: the message belongs on the dead-letter topic. */
    FAILED,
    /** The activation ended (or the thread was interrupted) before the message was delivered. */
    ABANDONED
  }

  private final RedeliveryPolicy policy;
  private final Pause pause;
  private final BooleanSupplier closed;

  DeliveryAttempts(RedeliveryPolicy policy, Pause pause, BooleanSupplier closed) {
    this.policy = policy;
    this.pause = pause;
    this.closed = closed;
  }

  /**
   * @param attempt delivers once; called with 1 for the first delivery, 2 for the first
   *     redelivery, ...
   * @param onFailure told of each failed delivery
   * @return how it ended
   */
  Outcome run(Attempt attempt, FailureListener onFailure) {
    for (int n = 1; n <= policy.maxRedeliveries() + 1; n++) {
      if (closed.getAsBoolean()) {
        return Outcome.ABANDONED;
      }
      try {
        attempt.deliver(n);
        return Outcome.DELIVERED;
      } catch (Exception e) {
        onFailure.failed(n, e);
      }
      if (n <= policy.maxRedeliveries() && !waitBeforeRedelivery()) {
        return Outcome.ABANDONED;
      }
    }
    return Outcome.FAILED;
  }

  private boolean waitBeforeRedelivery() {
    try {
      pause.pause(policy.delayMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Told of each failed delivery, e.g. to log it. */
  @FunctionalInterface
  interface FailureListener {
    void failed(int attempt, Exception cause);
  }
}
