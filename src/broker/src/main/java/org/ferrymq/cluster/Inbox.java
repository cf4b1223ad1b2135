package org.ferrymq.cluster;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;
import java.util.logging.Logger;
import org.ferrymq.engine.ClusterPort;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.common.RecordFormatException;

/**
 * Takes the batches peers forward to this node ({@link ForwardedBatch} runs here): routes each
 * message, in the batch's order, to this node's own subscribers (the non-shared ones, and one
 * member of each shared group the origin chose this node for), and settles each QoS 1/2
 * message with its origin once every receiving session here took it ({@link Settlements}).
 * That settlement releases the publisher's acknowledgement on the origin node, so a congested
 * subscriber here holds back the publishers there that feed it.
 *
 * <p>While this node adopts the sessions of a member that left ({@link Adoptions}), it holds
 * what arrives, in order, and settles none of it, which holds the publishers back; then it
 * routes it. A message that was on its way to the member that left goes to the sessions taken
 * over from it only. QoS 0 held is capped at {@link #MAX_QOS0_HELD}, as a slow peer's is. A
 * message addressed to one session (its origin handed the session over to this node a moment
 * ago) goes to that session only, and is settled the same way. A message for a member that left
 * unadopted ({@link Adoptions#unadopted}) fails, and so does one that would reach a persistent
 * session here while this side lacks quorum ({@link MinorityAcks}; the engine then delivers it
 * to no one here). Thread-safe; the held messages are guarded by this.
 */
final class Inbox {
  /** A forwarded message a delivery here failed for (a store refused a write, a bug). */
  static final byte FAILED = 0;
  /** A forwarded message every receiver here took. */
  static final byte TAKEN = 1;
  /** What a route reports when no receiver could take the message: it is settled as failed. */
  private static final int NOT_TAKEN = -1;
  static final int MAX_QOS0_HELD = PeerForwarder.MAX_QOS0_WAITING;
  private static final Logger LOG = Logger.getLogger(Inbox.class.getName());

  /** How a message's outcome is told: to its origin's settlements, or to a local receipt. */
  interface Outcome {
    void settle(byte outcome);
  }

  private record Held(Forwarded forwarded, Outcome outcome) {
  }

  /** How long an adoption waits for what it routed to be taken before it is announced. */
  private final long releaseWaitMillis;
  private final LongAdder received = new LongAdder();
  /** Per peer that forwarded here, while it is a member (see {@link #forgetAllBut}). */
  private final Map<String, LongAdder> receivedFrom = new ConcurrentHashMap<>();
  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private int qos0Held;
  private boolean releasing;
  private volatile ClusterPort port;
  private volatile Settlements settlements;
  private volatile Adoptions adoptions;

  /**
   * @param timeoutSeconds {@code mqtt.cluster.forward-timeout}: bounds how long an adoption
   *     waits for the messages it held to be taken ({@link #release}); it settles nothing
   */
  Inbox(int timeoutSeconds) {
    this.releaseWaitMillis = TimeUnit.SECONDS.toMillis(timeoutSeconds);
  }

  void attach(ClusterPort value, Settlements to, Adoptions adopting) {
    this.settlements = to;
    this.adoptions = adopting;
    this.port = value;
  }

  /**
   * Routes a forwarded batch here, or holds it while an adoption runs; returns once routed or
   * held, before it is taken.
   *
   * @param origin the node that forwarded it, where the settlements go
   * @param firstId the number of its first message; the others follow consecutively
   * @return the number of messages routed or held
   * @throws NodeStoppingException when this node's broker is not running (yet, or any more):
   *     the origin offers the batch again, and once this member left, sends it to the node
   *     adopting its sessions. A broker that stops while it routes the batch has routed a part
   *     of it; those are settled as usual if taken, and offered again they are refused whole
   */
  int take(String origin, long firstId, byte[] batch) throws RecordFormatException {
    if (port == null) {
      throw new NodeStoppingException();
    }
    BatchCodec.Batch decoded = BatchCodec.decode(batch);
    Settlements to = settlements;
    List<Held> messages = new ArrayList<>(decoded.messages().size());
    for (int i = 0; i < decoded.messages().size(); i++) {
      long id = firstId + i;
      messages.add(new Held(decoded.messages().get(i), outcome -> to.settle(origin, id, outcome)));
    }
    boolean hold = adoptions.awaited(decoded.adoptions());
    for (Held h : messages) {
      String departed = h.forwarded().forDeparted();
      hold |= departed != null && adoptions.awaited(java.util.Set.of(departed));
    }
    try {
      if (!holdOrQueue(messages, hold)) {
        messages.forEach(this::route);
      }
    } catch (IllegalStateException stopped) {
      // stopping: what is not routed yet is owed to the sessions' adopter once this member left
      throw new NodeStoppingException();
    }
    received.add(messages.size());
    receivedFrom.computeIfAbsent(origin, o -> new LongAdder()).add(messages.size());
    return messages.size();
  }

  /**
   * Takes a message this node itself had on its way to a member that left and whose sessions
   * this node adopts: held with the rest while the adoption runs.
   */
  void takeHere(Forwarded f, Outcome outcome) {
    Held h = new Held(f, outcome);
    adoptions.awaited(java.util.Set.of(f.forDeparted()));
    if (!holdOrQueue(List.of(h), adoptions.pending())) {
      try {
        route(h);
      } catch (IllegalStateException stopped) {
        outcome.settle(FAILED);
      }
    }
  }

  /** @return whether the messages were held (an adoption runs, or held ones wait for routing) */
  private synchronized boolean holdOrQueue(List<Held> messages, boolean hold) {
    if (!hold && held.isEmpty() && !releasing) {
      return false;
    }
    for (Held h : messages) {
      if (h.forwarded().message().qos() == QoS.AT_MOST_ONCE) {
        if (qos0Held >= MAX_QOS0_HELD) {
          continue;
        }
        qos0Held++;
      }
      held.add(h);
    }
    return true;
  }

  /**
   * Routes what was held, in order (what arrives meanwhile queues behind it), unless another
   * adoption began.
   *
   * @return completes once every QoS 1/2 message routed was taken or failed, or after the
   *     forward timeout: a session here holding one back is disconnected by then, but an
   *     application's in-process one, or a store that does not answer, may hold it longer (its
   *     settlement still waits for the outcome)
   */
  CompletableFuture<Void> release() {
    synchronized (this) {
      if (releasing) {
        return CompletableFuture.completedFuture(null);
      }
      releasing = true;
    }
    List<CompletableFuture<Void>> taken = new ArrayList<>();
    int n = 0;
    while (true) {
      Held h;
      synchronized (this) {
        h = adoptions.pending() ? null : held.poll();
        if (h == null) {
          releasing = false;
          break;
        }
        if (h.forwarded().message().qos() == QoS.AT_MOST_ONCE) {
          qos0Held--;
        }
      }
      n++;
      try {
        route(h.forwarded().message().qos() == QoS.AT_MOST_ONCE ? h : awaited(h, taken));
      } catch (IllegalStateException stopped) {
        h.outcome().settle(FAILED);
      }
    }
    int routed = n;
    if (routed > 0) {
      LOG.info(() -> "Routed " + routed + " forwarded messages held while sessions of cluster "
          + "members that left were adopted here");
    }
    return CompletableFuture.allOf(taken.toArray(CompletableFuture[]::new))
        .completeOnTimeout(null, releaseWaitMillis, TimeUnit.MILLISECONDS);
  }

  /** @return the held message, its outcome also completing a future added to {@code taken} */
  private static Held awaited(Held h, List<CompletableFuture<Void>> taken) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    taken.add(done);
    return new Held(h.forwarded(), outcome -> {
      done.complete(null);
      h.outcome().settle(outcome);
    });
  }

  /**
   * Routes one message; QoS 1/2 is settled once taken, QoS 0 never. It is settled as it ended
   * here and never before: the engine disconnects a session that holds it back longer than
   * {@code mqtt.cluster.forward-timeout}, which admits it, so no failure is told for a message
   * delivered later (its publisher would resend it, and a QoS 2 message arrive twice).
   */
  private void route(Held h) {
    if (h.forwarded().message().qos() == QoS.AT_MOST_ONCE) {
      take(h.forwarded(), receivers -> { });
      return;
    }
    take(h.forwarded(), receivers -> h.outcome().settle(receivers >= 0 ? TAKEN : FAILED));
  }

  /**
   * Routes the message here by topic; or to the sessions adopted from the node that died, for
   * one that was on its way there; or hands it to the one session it is addressed to, which
   * moved here a moment ago. One for a node this side did not adopt (it lacks quorum, and the
   * node may live on across a split) fails: no session here took it.
   */
  private void take(Forwarded f, IntConsumer whenTaken) {
    ClusterPort target = port;
    Message m = f.message();
    if (f.session() != null) {
      target.deliverToSession(m, f.session(), whenTaken);
    } else if (f.forDeparted() != null && adoptions.unadopted(f.forDeparted())) {
      whenTaken.accept(NOT_TAKEN);
    } else if (f.forDeparted() != null) {
      target.routeForSessions(m, adoptions.sessionsOf(f.forDeparted()), whenTaken);
    } else {
      target.routeFromPeer(m, f.groups(), whenTaken);
    }
  }

  /** @return messages forwarded here and routed so far */
  long received() {
    return received.sum();
  }

  /** @return messages {@code origin} forwarded here and routed so far; 0 once it left */
  long receivedFrom(String origin) {
    LongAdder n = receivedFrom.get(origin);
    return n == null ? 0 : n.sum();
  }

  /**
   * Drops the per-peer counts of the nodes that are no longer members, also those a batch
   * still on its way when its origin left counted again: they do not grow with cycling members.
   */
  void forgetAllBut(java.util.Set<String> members) {
    receivedFrom.keySet().retainAll(members);
  }
}
