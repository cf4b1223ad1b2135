package org.ferrymq.engine;

/**
 * How a receiving session tells a publisher's pending acknowledgement that it took a message.
 * A congested session (backlog at its bound while its client is online) defers the admission
 * until the backlog has drained, which holds the publisher's PUBACK/PUBREC back: backpressure
 * instead of loss. A deferred message is already in the session, so it counts as taken once
 * admitted, however the deferral ends. Called on the receiving session's lane.
 */
interface Admission {
  /** No one waits for this delivery. */
  Admission NONE = new Admission() {
    @Override
    public void admitted() {
    }

    @Override
    public void deferred() {
    }

    @Override
    public void admittedAfterDeferral() {
    }

    @Override
    public void failed(String clientId, String sharedFilter) {
    }
  };

  /** The session took the message at once. */
  void admitted();

  /** The session keeps the message but is congested; {@link #admittedAfterDeferral} follows. */
  void deferred();

  /** The deferred message is admitted: the backlog drained, or the client went away. */
  void admittedAfterDeferral();

  /**
   * @return the clock time (millis) by which a session that defers this admission must admit
   *     it, or {@link Long#MAX_VALUE} for no limit: only a message a cluster peer forwarded has
   *     one ({@code mqtt.cluster.forward-timeout}), past which the session counts as stuck
   */
  default long admitByMillis() {
    return Long.MAX_VALUE;
  }

  /**
   * The session could not take the message (its delivery threw): the publisher is told.
   *
   * @param clientId the session's client id
   * @param sharedFilter the shared subscription it was to receive the message through, or null
   */
  void failed(String clientId, String sharedFilter);
}
