package org.ferrymq.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Counts down the receiving sessions of one message, then runs the completion once. Each
 * receiver that defers its admission marks the publisher throttled until it admits. A message
 * a cluster peer forwarded may be deferred only until {@link #admitByMillis()}.
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
  /** Set before any delivery: a forwarded message's limit ({@link #limitDeferral}). */
  private long admitByMillis = Long.MAX_VALUE;
  private volatile boolean failed;
  /** Set before any delivery, null for none: the receivers whose copies need the quorum. */
  private QuorumBound quorumBound;

  RouteBarrier(int parties, IntConsumer completion, Runnable storedCompletion,
      InboundGate publisher, Router.BreakOff breakOff) {
    this.remaining = new AtomicInteger(parties);
    this.unstored = new AtomicInteger(parties);
    this.completion = completion;
    this.storedCompletion = storedCompletion;
    this.publisher = publisher;
    this.breakOff = breakOff;
  }

  /**
   * Limits how long a receiver may defer its admission: the message came from a cluster peer,
   * whose publisher waits for it ({@link BrokerCore#forwardedAdmitBy()}). Before any delivery.
   *
   * @return this barrier
   */
  RouteBarrier limitDeferral(long byMillis) {
    admitByMillis = byMillis;
    return this;
  }

  /**
   * Fails the message once every receiver stored it if this node's side lost its quorum
   * meanwhile ({@link QuorumBound#lostSince}). Before any delivery.
   *
   * @return this barrier
   */
  RouteBarrier watch(QuorumBound bound) {
    quorumBound = bound;
    return this;
  }

  @Override
  public long admitByMillis() {
    return admitByMillis;
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
    if (unstored.decrementAndGet() != 0) {
      return;
    }
    // every party stored it, so no failure can come in between
    if (!failed && quorumBound != null && quorumBound.lostSince(breakOff)) {
      failed = true;
    }
    // after a failed delivery the message is not everywhere: nothing may record it as routed
    if (storedCompletion != null && !failed) {
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
