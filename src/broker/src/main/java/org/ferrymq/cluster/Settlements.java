package org.ferrymq.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Tells the nodes that forwarded messages here how this node's sessions took them, in batches
 * ({@link SettledBatch}): per origin node one batch on its way at a time, the settlements made
 * meanwhile waiting for the next. Thread-safe: each origin's state is guarded by its channel.
 */
final class Settlements {
  static final int MAX_BATCH = 4096;
  private static final Logger LOG = Logger.getLogger(Settlements.class.getName());

  private final HazelcastInstance hazelcast;
  private final IExecutorService executor;
  private final String self;
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();

  Settlements(HazelcastInstance hazelcast, IExecutorService executor, String self) {
    this.hazelcast = hazelcast;
    this.executor = executor;
    this.self = self;
  }

  /** Records how a forwarded message was taken; called from any thread. */
  void settle(String origin, long id, byte outcome) {
    channels.computeIfAbsent(origin, Channel::new).add(id, outcome);
  }

  /**
   * @return whether every settlement made so far has been delivered (or its origin has left):
   *     a node that stops waits for this before it leaves, so the origins are not left to send
   *     what its sessions took to their adopter again
   */
  boolean delivered() {
    for (Channel c : channels.values()) {
      synchronized (c) {
        if (c.sending || c.size > 0) {
          return false;
        }
      }
    }
    return true;
  }

  /** The origin left: nobody waits for its settlements any more. */
  void peerGone(String origin) {
    channels.remove(origin);
  }

  /** The settlements owed to one origin node. */
  private final class Channel {
    private final String origin;
    private long[] ids = new long[64];
    private byte[] outcomes = new byte[64];
    private int size;
    private boolean sending;

    Channel(String origin) {
      this.origin = origin;
    }

    void add(long id, byte outcome) {
      synchronized (this) {
        if (size == ids.length) {
          ids = Arrays.copyOf(ids, size * 2);
          outcomes = Arrays.copyOf(outcomes, size * 2);
        }
        ids[size] = id;
        outcomes[size] = outcome;
        size++;
        if (sending) {
          return;
        }
        sending = true;
      }
      sendNext();
    }

    private void sendNext() {
      long[] batchIds;
      byte[] batchOutcomes;
      synchronized (this) {
        if (size == 0) {
          sending = false;
          return;
        }
        int n = Math.min(size, MAX_BATCH);
        batchIds = Arrays.copyOf(ids, n);
        batchOutcomes = Arrays.copyOf(outcomes, n);
        System.arraycopy(ids, n, ids, 0, size - n);
        System.arraycopy(outcomes, n, outcomes, 0, size - n);
        size -= n;
      }
      Member member = ClusterNode.member(hazelcast, origin);
      if (member == null) {
        // the origin left; its publishers' receipts were settled there when it saw us go or
        // are gone with it
        synchronized (this) {
          size = 0;
          sending = false;
        }
        return;
      }
      executor.submitToMember(new SettledBatch(self, batchIds, batchOutcomes), member,
          new ExecutionCallback<Boolean>() {
            @Override
            public void onResponse(Boolean done) {
              sendNext();
            }

            @Override
            public void onFailure(Throwable t) {
              LOG.fine(() -> "Settling " + batchIds.length + " forwarded messages with cluster "
                  + "member " + origin + " failed (it left or stops): " + t);
              sendNext();
            }
          });
    }
  }
}
