package org.ferrymq.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.engine.ClusterPort;
import org.ferrymq.engine.ConnectionWills;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Will;
import org.ferrymq.persistence.common.RecordCodec;
import org.ferrymq.persistence.common.RecordFormatException;

/**
 * The Wills of this node's open connections whose sessions end with them, in a Hazelcast map
 * ({@code ferrymq.wills}, client id to a copy tagged with the writing node, with the configured
 * backups): when a member dies, the oldest survivor publishes the Wills of its connections
 * that had not ended; only on a side with quorum, since on the other side of a split those
 * connections may still be open. A persistent session's Will is in its session copy instead
 * ({@link SessionBackups}). Writes are asynchronous; a copy's release waits for its write, so a
 * connection that ends at once leaves no copy behind. Thread-safe.
 */
final class WillCopies implements ConnectionWills {
  private static final Logger LOG = Logger.getLogger(WillCopies.class.getName());
  private static final long CLOSE_WAIT_SECONDS = 5;

  private final HazelcastInstance hazelcast;
  private final IMap<String, byte[]> copies;
  private final String self;
  private final SplitBrainGuard splitBrain;
  private final AtomicLong tokens = new AtomicLong();
  /** Writes not yet released, by token: a release follows its write. */
  private final Map<Long, CompletionStage<?>> written = new ConcurrentHashMap<>();
  /** Publishes a dead member's Wills off Hazelcast's event thread. */
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "ferrymq-will-copies");
    t.setDaemon(true);
    return t;
  });
  private volatile ClusterPort port;

  WillCopies(HazelcastInstance hazelcast, IMap<String, byte[]> copies, String self,
      SplitBrainGuard splitBrain) {
    this.hazelcast = hazelcast;
    this.copies = copies;
    this.self = self;
    this.splitBrain = splitBrain;
  }

  void attach(ClusterPort value) {
    this.port = value;
  }

  @Override
  public long kept(String clientId, Will will) {
    long token = tokens.incrementAndGet();
    if (splitBrain.mergingBack()) {
      return token; // the minority's connection: it ends when this node restarts
    }
    try {
      written.put(token, copies.setAsync(clientId,
          SessionBackups.tagged(self, encode(token, clientId, will))));
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, () -> "Could not copy the Will of " + clientId + ": " + e);
    }
    return token;
  }

  @Override
  public void released(String clientId, long token) {
    CompletionStage<?> write = written.remove(token);
    if (write == null) {
      return;
    }
    write.whenComplete((done, failure) -> {
      try {
        copies.submitToKey(clientId, new ReleaseWill(self, token));
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, () -> "Could not remove the Will copy of " + clientId + ": " + e);
      }
    });
  }

  /** A member left: the oldest member publishes the Wills of its connections. */
  void memberLeft(String node) {
    try {
      worker.execute(() -> publishWillsOf(node));
    } catch (RejectedExecutionException stopping) {
      // this node is leaving too
    }
  }

  /**
   * Waits a little for the copies' releases of the connections that ended as the broker
   * stopped, so that the survivors do not publish those Wills again; then stops the worker.
   */
  void close() {
    CompletableFuture<?>[] pending = written.values().stream()
        .map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(pending).get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.fine(() -> "Will copies not all written or released at stop: " + e);
    }
    worker.shutdownNow();
  }

  private void publishWillsOf(String node) {
    ClusterPort target = port;
    if (target == null || !hazelcast.getCluster().getMembers().iterator().next().localMember()) {
      return;
    }
    try {
      PartitionSafety.await(hazelcast);
      if (!splitBrain.quorate()) {
        LOG.info(() -> "Cluster member " + node + " left while this node's side lacks quorum: "
            + "the Wills of its connections are not published here");
        return;
      }
      int published = 0;
      for (Map.Entry<String, byte[]> e : copies.entrySet(new WrittenBy(node))) {
        // taken once: another survivor that became the oldest meanwhile finds it gone
        if (Boolean.TRUE.equals(copies.executeOnKey(e.getKey(), new HeldBy<byte[]>(node)))) {
          target.publishWillOf(e.getKey(), decode(SessionBackups.record(e.getValue())));
          published++;
        }
      }
      int n = published;
      if (n > 0) {
        LOG.info(() -> "Cluster member " + node + " left; this node published the Wills of "
            + n + " of its connections");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RecordFormatException | RuntimeException e) {
      LOG.log(Level.WARNING, "The Wills of cluster member " + node + ", which left, were not "
          + "all published", e);
    }
  }

  /** @return token, then the Will as a message record (properties and all) */
  private static byte[] encode(long token, String clientId, Will will) {
    byte[] message = RecordCodec.encodeMessage(new Message(will.topic(), will.payload(),
        will.qos(), will.retain(), will.properties(), 0, clientId));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(message.length + 8);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeLong(token);
      out.write(message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static long token(byte[] record) {
    return ByteBuffer.wrap(record).getLong();
  }

  private static Will decode(byte[] record) throws RecordFormatException {
    byte[] message = new byte[record.length - Long.BYTES];
    System.arraycopy(record, Long.BYTES, message, 0, message.length);
    Message m = RecordCodec.decodeMessage(message);
    return new Will(m.topic(), m.payload(), m.qos(), m.retain(), m.properties());
  }
}
