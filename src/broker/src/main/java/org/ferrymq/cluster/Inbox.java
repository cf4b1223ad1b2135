package org.ferrymq.cluster;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;
import org.ferrymq.engine.ClusterPort;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.common.RecordFormatException;

/**
 * Takes the batches peers forward to this node ({@link ForwardedBatch} runs here): routes each
 * message, in the batch's order, to this node's own subscribers (the non-shared ones, and one
 * member of each shared group the origin chose this node for), and settles each QoS 1/2
 * message with its origin once every receiving session here took it ({@link Settlements}).
 * That settlement releases the publisher's acknowledgement on the origin node, so a congested
 * subscriber here holds back the publishers there that feed it. A message addressed to one
 * session (its origin handed the session over to this node a moment ago) goes to that session
 * only, and is settled the same way. Thread-safe.
 */
final class Inbox {
  /** A forwarded message a delivery here failed for, or that was not taken in time. */
  static final byte FAILED = 0;
  /** A forwarded message every receiver here took. */
  static final byte TAKEN = 1;

  private final long timeoutMillis;
  private final LongAdder received = new LongAdder();
  private volatile ClusterPort port;
  private volatile Settlements settlements;

  Inbox(int timeoutSeconds) {
    this.timeoutMillis = TimeUnit.SECONDS.toMillis(timeoutSeconds);
  }

  void attach(ClusterPort value, Settlements to) {
    this.settlements = to;
    this.port = value;
  }

  /**
   * Routes a forwarded batch here; returns once routed, before it is taken.
   *
   * @param origin the node that forwarded it, where the settlements go
   * @param firstId the number of its first message; the others follow consecutively
   * @return the number of messages routed
   * @throws NodeStoppingException when this node's broker is not running (yet, or any more):
   *     it has no subscribers, as if it had left
   */
  int take(String origin, long firstId, byte[] batch) throws RecordFormatException {
    ClusterPort target = port;
    Settlements to = settlements;
    if (target == null) {
      throw new NodeStoppingException();
    }
    List<Forwarded> messages = BatchCodec.decode(batch);
    try {
      for (int i = 0; i < messages.size(); i++) {
        Forwarded f = messages.get(i);
        if (f.message().qos() == QoS.AT_MOST_ONCE) {
          take(target, f, receivers -> { });
          continue;
        }
        long id = firstId + i;
        CompletableFuture<Integer> taken = new CompletableFuture<>();
        taken.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).whenComplete((receivers, late) ->
            to.settle(origin, id, late == null && receivers >= 0 ? TAKEN : FAILED));
        take(target, f, taken::complete);
      }
    } catch (IllegalStateException stopped) {
      // stopping: its clients are disconnected, as when the member has left
      throw new NodeStoppingException();
    }
    received.add(messages.size());
    return messages.size();
  }

  /** Routes the message here, or hands it to the one session it is addressed to. */
  private static void take(ClusterPort target, Forwarded f, IntConsumer whenTaken) {
    if (f.session() == null) {
      target.routeFromPeer(f.message(), f.groups(), whenTaken);
    } else {
      target.deliverToSession(f.message(), f.session(), whenTaken);
    }
  }

  /** @return messages forwarded here and routed so far */
  long received() {
    return received.sum();
  }
}
