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
import java.util.concurrent.ConcurrentHashMap;
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
 * and not those of every message sent there. A peer that leaves settles its messages as taken
 * by no one (its subscribers left with it, since sessions are not cluster-wide yet), except that
 * the engine gives the copies of the shared groups it was chosen for to other members
 * ({@link Receipt#left}). QoS 0 is
 * settled when sent; beyond {@link #MAX_QOS0_WAITING} waiting per peer it is dropped and
 * counted, as for a slow subscriber. QoS 1/2 waits without bound here: the publishers'
 * unacknowledged windows bound it. Thread-safe: each peer's state is guarded by its channel.
 */
final class PeerForwarder implements PeerLink {
  static final int MAX_BATCH_MESSAGES = 512;
  static final int MAX_BATCH_BYTES = 1 << 20;
  static final int MAX_QOS0_WAITING = 10_000;
  private static final Logger LOG = Logger.getLogger(PeerForwarder.class.getName());

  private final HazelcastInstance hazelcast;
  private final IExecutorService executor;
  private final String self;
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> forwarded = new ConcurrentHashMap<>();
  private final LongAdder batches = new LongAdder();
  private final LongAdder qos0Dropped = new LongAdder();

  PeerForwarder(HazelcastInstance hazelcast, IExecutorService executor, String self) {
    this.hazelcast = hazelcast;
    this.executor = executor;
    this.self = self;
  }

  @Override
  public void forward(String node, Message message, GroupAssignment groups, Receipt receipt) {
    channels.computeIfAbsent(node, Channel::new).add(new Forwarded(message, groups), receipt);
  }

  /** Addressed to one session, it travels in the peer's channel with the routed messages. */
  @Override
  public void forwardTo(String node, Message message, SessionDelivery delivery,
      Receipt receipt) {
    channels.computeIfAbsent(node, Channel::new).add(
        new Forwarded(message, GroupAssignment.NONE, delivery), receipt);
  }

  /** The peer settled messages it was sent: their receipts learn how. */
  void settle(String node, long[] ids, byte[] outcomes) {
    Channel c = channels.get(node);
    if (c != null) {
      c.settle(ids, outcomes);
    }
  }

  /** The peer left the cluster: whatever it still owes an answer for is taken by no one. */
  void peerGone(String node) {
    Channel c = channels.remove(node);
    if (c != null) {
      c.gone();
    }
  }

  /** @return messages forwarded to that node so far (settled or not) */
  long forwardedTo(String node) {
    LongAdder n = forwarded.get(node);
    return n == null ? 0 : n.sum();
  }

  /** @return messages forwarded to any node so far, those that left included */
  long forwarded() {
    return forwarded.values().stream().mapToLong(LongAdder::sum).sum();
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
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private final Map<Long, Receipt> unsettled = new ConcurrentHashMap<>();
    private long nextId = 1;
    private int qos0Waiting;
    private boolean sending;
    private boolean closed;

    Channel(String node) {
      this.node = node;
    }

    void add(Forwarded f, Receipt receipt) {
      Message m = f.message();
      synchronized (this) {
        if (closed) {
          receipt.left();
          return;
        }
        if (m.qos() == QoS.AT_MOST_ONCE) {
          if (qos0Waiting >= MAX_QOS0_WAITING) {
            qos0Dropped.increment();
            receipt.accepted();
            return;
          }
          qos0Waiting++;
        }
        waiting.add(new Pending(f, receipt));
        if (sending) {
          return;
        }
        sending = true;
      }
      sendNext();
    }

    /** Sends the next batch, or ends the sending when nothing waits. */
    private void sendNext() {
      while (true) {
        long firstId;
        List<Pending> batch;
        synchronized (this) {
          batch = takeBatch();
          if (batch == null) {
            sending = false;
            return;
          }
          firstId = nextId;
          nextId += batch.size();
        }
        Member member = ClusterNode.member(hazelcast, node);
        List<Forwarded> messages = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
          Pending p = batch.get(i);
          messages.add(p.forwarded());
          if (member == null) {
            p.receipt().left();
          } else if (p.message().qos() == QoS.AT_MOST_ONCE) {
            p.receipt().accepted();
          } else {
            unsettled.put(firstId + i, p.receipt());
          }
        }
        if (member == null) {
          continue;
        }
        forwarded.computeIfAbsent(node, n -> new LongAdder()).add(batch.size());
        batches.increment();
        int count = batch.size();
        executor.submitToMember(new ForwardedBatch(self, firstId, BatchCodec.encode(messages)),
            member, new ExecutionCallback<Integer>() {
              @Override
              public void onResponse(Integer routed) {
                sendNext();
              }

              @Override
              public void onFailure(Throwable t) {
                settleFailed(firstId, count, t);
                sendNext();
              }
            });
        return;
      }
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
        Receipt r = unsettled.remove(ids[i]);
        if (r == null) {
          continue;
        }
        if (outcomes[i] == Inbox.TAKEN) {
          r.accepted();
        } else {
          r.failed();
        }
      }
    }

    /** The batch did not reach the peer's broker: its messages are settled here. */
    private void settleFailed(long firstId, int count, Throwable t) {
      boolean left = left(t);
      if (left) {
        LOG.fine(() -> "Cluster member " + node + " left or stopped with " + count
            + " forwarded messages unrouted; its subscribers left with it, its shared groups' "
            + "copies go to other members");
      } else {
        LOG.log(Level.WARNING, "Forwarding " + count + " messages to cluster member " + node
            + " failed; their publishers are told", t);
      }
      for (long id = firstId; id < firstId + count; id++) {
        Receipt r = unsettled.remove(id);
        if (r != null) {
          if (left) {
            r.left();
          } else {
            r.failed();
          }
        }
      }
    }

    void gone() {
      List<Pending> dropped;
      synchronized (this) {
        closed = true;
        dropped = new ArrayList<>(waiting);
        waiting.clear();
      }
      dropped.forEach(p -> p.receipt().left());
      for (Long id : List.copyOf(unsettled.keySet())) {
        Receipt r = unsettled.remove(id);
        if (r != null) {
          r.left();
        }
      }
    }
  }

  private static boolean left(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof MemberLeftException || c instanceof TargetNotMemberException
          || c instanceof NodeStoppingException) {
        return true;
      }
    }
    return false;
  }
}
