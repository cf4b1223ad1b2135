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
import org.ferrymq.engine.PeerLink;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;

/**
 * Forwards messages to the peers with matching subscribers ({@link PeerLink}), in batches: per
 * peer, one batch is in flight at a time and whatever arrives meanwhile waits for the next, so a
 * busy link sends fewer, larger batches and the order in which the engine handed messages over
 * (per publisher, per topic) is the order the peer routes them in.
 *
 * <p>A message's receipt is settled when the peer answers: taken (the publisher's
 * acknowledgement may go), failed, or the peer left the cluster (taken by no one: its
 * subscribers left with it, since sessions are not cluster-wide yet). QoS 1/2 messages wait
 * without bound here; their publishers' unacknowledged windows bound them. QoS 0 messages
 * beyond {@link #MAX_QOS0_WAITING} per peer are dropped and counted, as for a slow subscriber.
 * Thread-safe: each peer's queue is guarded by its channel.
 */
final class PeerForwarder implements PeerLink {
  static final int MAX_BATCH_MESSAGES = 512;
  static final int MAX_BATCH_BYTES = 1 << 20;
  static final int MAX_QOS0_WAITING = 10_000;
  private static final Logger LOG = Logger.getLogger(PeerForwarder.class.getName());

  private final HazelcastInstance hazelcast;
  private final IExecutorService executor;
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> forwarded = new ConcurrentHashMap<>();
  private final LongAdder batches = new LongAdder();
  private final LongAdder qos0Dropped = new LongAdder();

  PeerForwarder(HazelcastInstance hazelcast, IExecutorService executor) {
    this.hazelcast = hazelcast;
    this.executor = executor;
  }

  @Override
  public void forward(String node, Message message, Receipt receipt) {
    channels.computeIfAbsent(node, Channel::new).add(message, receipt);
  }

  /** @return messages forwarded to that node so far (answered or not) */
  long forwardedTo(String node) {
    LongAdder n = forwarded.get(node);
    return n == null ? 0 : n.sum();
  }

  /** @return batches sent to any node so far */
  long batches() {
    return batches.sum();
  }

  /** @return QoS 0 messages dropped because a peer was that far behind */
  long qos0Dropped() {
    return qos0Dropped.sum();
  }

  private record Pending(Message message, Receipt receipt) {
  }

  /** The way to one peer: its waiting messages and whether a batch is in flight. */
  private final class Channel {
    private final String node;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private int qos0Waiting;
    private boolean inFlight;

    Channel(String node) {
      this.node = node;
    }

    void add(Message m, Receipt receipt) {
      synchronized (this) {
        if (m.qos() == QoS.AT_MOST_ONCE) {
          if (qos0Waiting >= MAX_QOS0_WAITING) {
            qos0Dropped.increment();
            receipt.accepted();
            return;
          }
          qos0Waiting++;
        }
        waiting.add(new Pending(m, receipt));
        if (inFlight) {
          return;
        }
        inFlight = true;
      }
      sendNext();
    }

    /** Sends the next batch, or ends the flight when nothing waits. */
    private void sendNext() {
      while (true) {
        List<Pending> batch = takeBatch();
        if (batch == null) {
          return;
        }
        Member member = memberOf(node);
        if (member == null) {
          batch.forEach(p -> p.receipt().accepted());
          continue;
        }
        List<Message> messages = new ArrayList<>(batch.size());
        batch.forEach(p -> messages.add(p.message()));
        forwarded.computeIfAbsent(node, n -> new LongAdder()).add(batch.size());
        batches.increment();
        executor.submitToMember(new ForwardedBatch(BatchCodec.encode(messages)), member,
            new ExecutionCallback<byte[]>() {
              @Override
              public void onResponse(byte[] outcome) {
                for (int i = 0; i < batch.size(); i++) {
                  if (outcome[i] == Inbox.TAKEN) {
                    batch.get(i).receipt().accepted();
                  } else {
                    batch.get(i).receipt().failed();
                  }
                }
                sendNext();
              }

              @Override
              public void onFailure(Throwable t) {
                settleFailed(batch, t);
                sendNext();
              }
            });
        return;
      }
    }

    private List<Pending> takeBatch() {
      synchronized (this) {
        if (waiting.isEmpty()) {
          inFlight = false;
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
    }

    private void settleFailed(List<Pending> batch, Throwable t) {
      if (left(t)) {
        LOG.fine(() -> "Cluster member " + node + " left with " + batch.size()
            + " forwarded messages unanswered; its subscribers left with it");
        batch.forEach(p -> p.receipt().accepted());
      } else {
        LOG.log(Level.WARNING, "Forwarding " + batch.size() + " messages to cluster member "
            + node + " failed; their publishers are told", t);
        batch.forEach(p -> p.receipt().failed());
      }
    }
  }

  private Member memberOf(String node) {
    for (Member m : hazelcast.getCluster().getMembers()) {
      if (m.getUuid().toString().equals(node)) {
        return m;
      }
    }
    return null;
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
