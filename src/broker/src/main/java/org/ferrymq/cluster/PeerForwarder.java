package org.ferrymq.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.engine.GroupAssignment;
import org.ferrymq.engine.PeerLink;
import org.ferrymq.engine.SessionDelivery;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;

/**
 * Forwards messages to the peers with matching subscribers ({@link PeerLink}), in batches: per
 * peer, one batch is on its way at a time until the peer has routed it, and whatever arrives
 * meanwhile waits for the next, so a busy link sends fewer, larger batches and the peer routes
 * the messages in the order the engine handed them over (per publisher, per topic).
 *
 * <p>A QoS 1/2 message's receipt waits for the peer's settlement ({@link SettledBatch}), which
 * the peer sends once its sessions took the message; settlements arrive on their own, so a
 * congested subscriber on the peer holds back the acknowledgements of the messages it receives
 * and not those of every message sent there. A peer that leaves: its QoS 1/2 messages still
 * unsettled or waiting are sent again, in their order, to the node that adopts its sessions
 * ({@link Adoptions}), marked for those sessions only, and what is forwarded to it later goes
 * there too (this node itself when it is the adopter: its {@link Inbox}); the shared groups it
 * was chosen for go to other members once the adopter settled ({@link Receipt#left}). A peer
 * whose broker does not run while its member stays (a graceful stop: the broker stops before
 * the member leaves) refuses batches; they stay owed and are offered again, so that they go to
 * the adopter once it leaves, and fail, never count as taken, if it neither takes them nor
 * leaves within {@code mqtt.cluster.forward-timeout} ({@link NodeStoppingException}). QoS 0 is
 * settled when sent; beyond {@link #MAX_QOS0_WAITING} waiting per peer it is dropped and
 * counted, as for a slow subscriber. QoS 1/2 waits without bound here: the publishers'
 * unacknowledged windows bound it. Thread-safe: each peer's state is guarded by its channel.
 */
final class PeerForwarder implements PeerLink {
  static final int MAX_BATCH_MESSAGES = 512;
  static final int MAX_BATCH_BYTES = 1 << 20;
  static final int MAX_QOS0_WAITING = 10_000;
  /** How soon a batch a peer's broker refused (it does not run) is offered again. */
  static final long REFUSED_RETRY_MILLIS = 200;
  private static final long REFUSAL_REPORTED = Long.MIN_VALUE;
  private static final Executor RETRY =
      CompletableFuture.delayedExecutor(REFUSED_RETRY_MILLIS, TimeUnit.MILLISECONDS);
  private static final Logger LOG = Logger.getLogger(PeerForwarder.class.getName());

  private final HazelcastInstance hazelcast;
  private final IExecutorService executor;
  private final String self;
  private final Adoptions adoptions;
  private final Inbox inbox;
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();
  /** Peers that left, each with the node that adopts its sessions; guarded by {@link #channels}. */
  private final Map<String, String> departed = new ConcurrentHashMap<>();
  /** How long a peer whose broker does not run may keep messages owed before they fail. */
  private final long refusedForNanos;
  /** Every peer's, those that left included; each channel counts its own peer's. */
  private final LongAdder forwarded = new LongAdder();
  private final LongAdder batches = new LongAdder();
  private final LongAdder qos0Dropped = new LongAdder();

  /**
   * @param refusedForSeconds {@code mqtt.cluster.forward-timeout}: how long a peer whose broker
   *     does not run while its member stays (a graceful stop, a start not finished) may keep
   *     the messages it refused owed; past it they fail
   */
  PeerForwarder(HazelcastInstance hazelcast, IExecutorService executor, String self,
      Adoptions adoptions, Inbox inbox, int refusedForSeconds) {
    this.refusedForNanos = TimeUnit.SECONDS.toNanos(refusedForSeconds);
    this.hazelcast = hazelcast;
    this.executor = executor;
    this.self = self;
    this.adoptions = adoptions;
    this.inbox = inbox;
  }

  @Override
  public void forward(String node, Message message, GroupAssignment groups, Receipt receipt) {
    send(node, new Forwarded(message, groups), receipt);
  }

  private void send(String node, Forwarded f, Receipt receipt) {
    // The common case reads the map without locking a bin per message; a channel closed by a
    // departure meanwhile refuses the message, which is then redirected
    Channel c = channels.get(node);
    if (c == null) {
      // decided with the departure's bookkeeping: never a new channel to a peer that left
      c = channels.compute(node, (n, existing) -> existing != null ? existing
          : departed.containsKey(n) ? null : new Channel(n));
    }
    if (c == null) {
      redirect(node, f, receipt);
    } else {
      c.add(f, receipt);
    }
  }

  /**
   * Sends a QoS 1/2 message that was for a peer that left to the node adopting that peer's
   * sessions, for those sessions; QoS 0 counts as taken by no one, as before. The shared groups
   * the peer was chosen for go to other members once the adopter settled.
   */
  private void redirect(String node, Forwarded f, Receipt receipt) {
    if (f.message().qos() == QoS.AT_MOST_ONCE) {
      receipt.left();
      return;
    }
    String adopter = adopterOf(node);
    Receipt settled = f.groups().isEmpty() ? receipt : new Receipt() {
      @Override
      public void accepted() {
        receipt.left();
      }

      @Override
      public void left() {
        receipt.left();
      }

      @Override
      public void failed() {
        receipt.failed();
      }
    };
    Forwarded again = f.redirected(node);
    if (adopter.equals(self)) {
      inbox.takeHere(again, outcome -> {
        if (outcome == Inbox.TAKEN) {
          settled.accepted();
        } else {
          settled.failed();
        }
      });
    } else {
      send(adopter, again, settled);
    }
  }

  /** @return the node that adopts the sessions of {@code node}, following adopters that left */
  private String adopterOf(String node) {
    String at = node;
    for (int hops = 0; departed.containsKey(at) && hops <= departed.size(); hops++) {
      at = departed.get(at);
    }
    return at;
  }

  /**
   * Addressed to one session, it travels in the peer's channel with the routed messages; to a
   * peer that left, it goes to the adopter of that peer's sessions, as the routed ones do.
   */
  @Override
  public void forwardTo(String node, Message message, SessionDelivery delivery,
      Receipt receipt) {
    send(node, new Forwarded(message, GroupAssignment.NONE, delivery), receipt);
  }

  /** The peer settled messages it was sent: their receipts learn how. */
  void settle(String node, long[] ids, byte[] outcomes) {
    Channel c = channels.get(node);
    if (c != null) {
      c.settle(ids, outcomes);
    }
  }

  /**
   * The peer left the cluster: what it still owes an answer for goes to {@code adopter}, in
   * the order it was handed over here (QoS 0 is taken by no one), and so does what is
   * forwarded to it from now on.
   */
  void peerGone(String node, String adopter) {
    Channel[] gone = new Channel[1];
    channels.compute(node, (n, c) -> {
      departed.put(n, adopter);
      gone[0] = c;
      return null;
    });
    if (gone[0] != null) {
      List<Pending> owed = gone[0].gone();
      for (Pending p : owed) {
        redirect(node, p.forwarded(), p.receipt());
      }
      if (!owed.isEmpty()) {
        LOG.info(() -> "Cluster member " + node + " left owing " + owed.size() + " forwarded "
            + "messages; " + (adoptions.unadopted(node)
                ? "those of QoS 1/2 fail: nobody on this side adopts its sessions"
                : "those of QoS 1/2 go to " + adopter + ", which adopts its sessions"));
      }
    }
  }

  /** @return messages forwarded to that node so far (settled or not); 0 once it left */
  long forwardedTo(String node) {
    Channel c = channels.get(node);
    return c == null ? 0 : c.forwarded.sum();
  }

  /**
   * @return QoS 1/2 messages sent to that node and not settled yet, or waiting to be sent
   *     there; 0 once it left (they went to its adopter)
   */
  int unsettledTo(String node) {
    Channel c = channels.get(node);
    return c == null ? 0 : c.unsettled();
  }

  /** @return messages forwarded to any node so far, those that left included */
  long forwarded() {
    return forwarded.sum();
  }

  /** @return batches sent to any node so far */
  long batches() {
    return batches.sum();
  }

  /** @return QoS 0 messages dropped because a peer was that far behind */
  long qos0Dropped() {
    return qos0Dropped.sum();
  }

  private record Pending(Forwarded forwarded, Receipt receipt) {
    Message message() {
      return forwarded.message();
    }
  }

  /** The way to one peer: messages waiting, whether a batch is on its way, receipts owed. */
  private final class Channel {
    private final String node;
    /** Messages forwarded to this peer; gone with the channel when the peer leaves. */
    private final LongAdder forwarded = new LongAdder();
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    /** Sent and not settled yet, by number: kept in order, to be sent again if the peer dies. */
    private final ConcurrentSkipListMap<Long, Pending> unsettled = new ConcurrentSkipListMap<>();
    private long nextId = 1;
    private int qos0Waiting;
    private boolean sending;
    private boolean closed;
    /**
     * When the peer's broker began refusing what is sent: 0 while it takes it, {@link
     * #REFUSAL_REPORTED} once it refused for too long (what it refuses then fails at once).
     */
    private volatile long refusedSince;

    Channel(String node) {
      this.node = node;
    }

    void add(Forwarded f, Receipt receipt) {
      if (!queue(f, receipt)) {
        // it left: sent on to its adopter, outside this channel's lock
        redirect(node, f, receipt);
      }
    }

    /** @return false when the peer left; else queued (or QoS 0 dropped) and sending */
    private boolean queue(Forwarded f, Receipt receipt) {
      synchronized (this) {
        if (closed) {
          return false;
        }
        if (f.message().qos() == QoS.AT_MOST_ONCE) {
          if (qos0Waiting >= MAX_QOS0_WAITING) {
            qos0Dropped.increment();
            receipt.accepted();
            return true;
          }
          qos0Waiting++;
        }
        waiting.add(new Pending(f, receipt));
        if (sending) {
          return true;
        }
        sending = true;
      }
      sendNext();
      return true;
    }

    /** Sends the next batch, or ends the sending when nothing waits. */
    private void sendNext() {
      while (true) {
        long firstId;
        List<Pending> batch;
        synchronized (this) {
          batch = closed ? null : takeBatch();
          if (batch == null) {
            sending = false;
            return;
          }
          firstId = nextId;
          nextId += batch.size();
          // registered with the batch: a departure in between finds them here
          for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i).message().qos() != QoS.AT_MOST_ONCE) {
              unsettled.put(firstId + i, batch.get(i));
            }
          }
        }
        Member member = ClusterNode.member(hazelcast, node);
        List<Forwarded> messages = new ArrayList<>(batch.size());
        for (Pending p : batch) {
          messages.add(p.forwarded());
          if (p.message().qos() == QoS.AT_MOST_ONCE) {
            if (member == null) {
              p.receipt().left();
            } else {
              p.receipt().accepted();
            }
          }
        }
        if (member == null) {
          // it left: its departure sends the QoS 1/2 messages on to its adopter
          continue;
        }
        forwarded.add(batch.size());
        PeerForwarder.this.forwarded.add(batch.size());
        batches.increment();
        byte[] encoded = BatchCodec.encode(messages, adoptions.awaitedFrom(node));
        submit(new ForwardedBatch(self, firstId, encoded), batch.size(), member);
        return;
      }
    }

    /**
     * Sends a batch; the next follows once the peer routed it. One its broker refused (it does
     * not run) is offered again, the same batch under the same numbers, until the broker takes
     * it or the member leaves, or fails after {@link #refusedForNanos}; nothing else is sent
     * meanwhile, so the order holds.
     */
    private void submit(ForwardedBatch task, int count, Member member) {
      executor.submitToMember(task, member, new ExecutionCallback<Integer>() {
        @Override
        public void onResponse(Integer routed) {
          refusedSince = 0;
          sendNext();
        }

        @Override
        public void onFailure(Throwable t) {
          if (is(t, NodeStoppingException.class) && keptOwed()) {
            RETRY.execute(() -> offerAgain(task, count));
            return;
          }
          settleFailed(task.firstId(), count, t);
          sendNext();
        }
      });
    }

    /**
     * @return whether the refused batch stays owed, to be offered again: its peer's broker has
     *     refused for less than {@link #refusedForNanos} (once it does, every message still
     *     owed here fails), and it has not left ({@link #gone} sends them on then)
     */
    private boolean keptOwed() {
      long now = System.nanoTime();
      long since = refusedSince;
      if (since == 0) {
        refusedSince = now;
        LOG.fine(() -> "Cluster member " + node + " refuses forwarded messages (its broker "
            + "does not run); they stay owed until it takes them or leaves");
        return true;
      }
      if (since != REFUSAL_REPORTED && now - since < refusedForNanos) {
        return true;
      }
      List<Pending> owed;
      synchronized (this) {
        owed = takeUnsettled();
      }
      if (since != REFUSAL_REPORTED) {
        refusedSince = REFUSAL_REPORTED;
        LOG.warning(() -> "Cluster member " + node + " has refused forwarded messages for "
            + TimeUnit.NANOSECONDS.toSeconds(refusedForNanos) + " s (its broker does not run, "
            + "and it stays in the cluster): they fail from now on, and their publishers are "
            + "told (mqtt.cluster.forward-timeout)");
      }
      owed.forEach(p -> p.receipt().failed());
      return false;
    }

    private void offerAgain(ForwardedBatch task, int count) {
      Member member;
      try {
        member = ClusterNode.member(hazelcast, node);
      } catch (IllegalStateException notActive) {
        // this node's member stopped meanwhile: its own publishers are gone with it
        LOG.fine(() -> "Not offering forwarded messages to " + node + " again: " + notActive);
        return;
      }
      boolean left;
      synchronized (this) {
        left = closed || member == null;
      }
      if (left) {
        // its departure sends the batch on to its adopter (it did, or will)
        sendNext();
      } else {
        submit(task, count, member);
      }
    }

    /** @return the QoS 1/2 messages sent and not settled, and those waiting to be sent */
    synchronized int unsettled() {
      return unsettled.size() + waiting.size() - qos0Waiting;
    }

    /** @return up to a batch of the waiting messages, null when none waits; holds the lock */
    private List<Pending> takeBatch() {
      if (waiting.isEmpty()) {
        return null;
      }
      List<Pending> batch = new ArrayList<>();
      long bytes = 0;
      while (!waiting.isEmpty() && batch.size() < MAX_BATCH_MESSAGES
          && (batch.isEmpty() || bytes + waiting.peek().message().sizeInBytes()
              <= MAX_BATCH_BYTES)) {
        Pending p = waiting.poll();
        bytes += p.message().sizeInBytes();
        if (p.message().qos() == QoS.AT_MOST_ONCE) {
          qos0Waiting--;
        }
        batch.add(p);
      }
      return batch;
    }

    void settle(long[] ids, byte[] outcomes) {
      for (int i = 0; i < ids.length; i++) {
        Pending p = unsettled.remove(ids[i]);
        if (p == null) {
          continue;
        }
        if (outcomes[i] == Inbox.TAKEN) {
          p.receipt().accepted();
        } else {
          p.receipt().failed();
        }
      }
    }

    /**
     * The batch did not reach the peer's broker. A member that left: its departure sends the
     * messages on ({@link #gone}). A broker that has refused for too long ({@link #keptOwed}):
     * what it was still owed has failed already, this batch fails too. Else they failed.
     */
    private void settleFailed(long firstId, int count, Throwable t) {
      if (is(t, MemberLeftException.class) || is(t, TargetNotMemberException.class)) {
        LOG.fine(() -> "Cluster member " + node + " left with " + count + " forwarded messages "
            + "unrouted; they go to the node adopting its sessions");
        return;
      }
      if (!is(t, NodeStoppingException.class)) {
        LOG.log(Level.WARNING, "Forwarding " + count + " messages to cluster member " + node
            + " failed; their publishers are told", t);
      }
      for (long id = firstId; id < firstId + count; id++) {
        Pending p = unsettled.remove(id);
        if (p != null) {
          p.receipt().failed();
        }
      }
    }

    /**
     * @return what was sent and not settled, in order, removed. Taken one by one: a settlement
     *     arriving meanwhile removes its own entry first, or finds it gone and is ignored, never
     *     both settled and taken here.
     */
    private List<Pending> takeUnsettled() {
      List<Pending> owed = new ArrayList<>();
      for (Map.Entry<Long, Pending> e = unsettled.pollFirstEntry(); e != null;
          e = unsettled.pollFirstEntry()) {
        owed.add(e.getValue());
      }
      return owed;
    }

    /** @return what was sent and not settled, in order, then what waited, in order */
    List<Pending> gone() {
      List<Pending> owed;
      synchronized (this) {
        closed = true;
        owed = takeUnsettled();
        owed.addAll(waiting);
        waiting.clear();
        qos0Waiting = 0;
      }
      return owed;
    }
  }

  private static boolean is(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }
}
