package org.ferrymq.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Counts down the receiving sessions of one message, then runs the completion once. Each
 * receiver that defers its admission marks the publisher throttled until it admits.
 */
final class RouteBarrier implements Admission {
  private final AtomicInteger remaining;
  private final AtomicInteger unstored;
  private final IntConsumer completion;
  private final Runnable storedCompletion;
  private final InboundGate publisher;
  private final Router.BreakOff breakOff;
  /** Set by the router before its own arrival, so visible to whoever completes. */
  int receivers;
  private volatile boolean failed;

  RouteBarrier(int parties, IntConsumer completion, Runnable storedCompletion,
      InboundGate publisher, Router.BreakOff breakOff) {
    this.remaining = new AtomicInteger(parties);
    this.unstored = new AtomicInteger(parties);
    this.completion = completion;
    this.storedCompletion = storedCompletion;
    this.publisher = publisher;
    this.breakOff = breakOff;
  }

  /** A party stored and admitted the message (or will never have it). */
  void arrive() {
    stored();
    if (remaining.decrementAndGet() == 0) {
      complete();
    }
  }

  private void complete() {
    if (failed && breakOff != null) {
      breakOff.report();
    }
    completion.accept(failed ? Router.FAILED : receivers);
  }

  private void stored() {
    // after a failed delivery the message is not everywhere: nothing may record it as routed
    if (unstored.decrementAndGet() == 0 && storedCompletion != null && !failed) {
      storedCompletion.run();
    }
  }

  @Override
  public void failed(String clientId, String sharedFilter) {
    if (breakOff != null) {
      breakOff.failedAt(clientId, sharedFilter);
    }
    failed = true;
    arrive();
  }

  @Override
  public void admitted() {
    arrive();
  }

  @Override
  public void deferred() {
    stored();
    if (publisher != null) {
      publisher.throttled();
    }
  }

  @Override
  public void admittedAfterDeferral() {
    if (publisher != null) {
      publisher.unthrottled();
    }
    if (remaining.decrementAndGet() == 0) {
      complete();
    }
  }
}
