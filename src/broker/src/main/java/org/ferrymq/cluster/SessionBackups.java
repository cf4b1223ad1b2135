package org.ferrymq.cluster;

import com.hazelcast.map.IMap;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.engine.ExportedSession;
import org.ferrymq.persistence.QueueStore;
import org.ferrymq.persistence.SessionStore;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.persistence.common.RecordCodec;
import org.ferrymq.persistence.common.RecordFormatException;

/**
 * Cluster-wide backup copies of this node's persistent sessions and their queued and in-flight
 * QoS 1/2 deliveries, written through the node's session and queue stores: two Hazelcast maps
 * with {@code mqtt.cluster.backup-count} synchronous backups, so the copy outlives this node.
 * Each value starts with the id of the node that wrote it ({@link #writer}); a node removes only
 * its own copies, never those of the node its session moved to. Writes are asynchronous; in
 * mode {@code persistent} the acknowledgements wait for them ({@link #written()}), one wait per
 * group of writes as the store's group commit does.
 *
 * <p>When a node leaves without handing its sessions over, the oldest survivor takes their
 * copies and adopts the sessions; a CONNECT on any node that finds a copy nobody took yet takes
 * it itself ({@link #take}). Thread-safe.
 */
final class SessionBackups {
  static final char SEPARATOR = '\u0000';
  private static final Logger LOG = Logger.getLogger(SessionBackups.class.getName());

  private final IMap<String, byte[]> sessions;
  private final IMap<String, byte[]> queues;
  private final String self;
  /** Told of each session this node takes from a copy another node wrote (writer, client). */
  private final java.util.function.BiConsumer<String, String> onTaken;
  /** Whether this node merges back after a split ({@link SplitBrainGuard#mergingBack}). */
  private final java.util.function.BooleanSupplier mergingBack;
  private volatile boolean awaited;
  /** The sequences of each session's deliveries this node has copies of. */
  private final Map<String, Set<Long>> copied = new ConcurrentHashMap<>();
  /** The writes acknowledgements wait for, in mode persistent. */
  private final CopyWrites awaitedWrites = new CopyWrites();
  /** Writes issued and not completed yet, in every mode: a node that leaves waits for them. */
  private final AtomicInteger unwritten = new AtomicInteger();

  SessionBackups(IMap<String, byte[]> sessions, IMap<String, byte[]> queues, String self,
      java.util.function.BiConsumer<String, String> onTaken,
      java.util.function.BooleanSupplier mergingBack) {
    this.sessions = sessions;
    this.queues = queues;
    this.self = self;
    this.onTaken = onTaken;
    this.mergingBack = mergingBack;
  }

  /** Whether acknowledgements wait for the copies (mode {@code persistent}); set before start. */
  void awaitedByAcknowledgements(boolean value) {
    awaited = value;
  }

  /** @return the node's session store, its writes copied to the cluster */
  SessionStore sessions(SessionStore node) {
    return new SessionStore() {
      @Override
      public void save(StoredSession session) {
        node.save(session);
        copy(session);
      }

      @Override
      public void delete(String clientId) {
        node.delete(clientId);
        if (isClients(clientId)) {
          track(() -> sessions.submitToKey(clientId, new HeldBy<>(self)));
          dropQueue(clientId);
        }
      }

      @Override
      public List<StoredSession> loadSessions() {
        List<StoredSession> kept = new ArrayList<>();
        for (StoredSession s : node.loadSessions()) {
          if (isClients(s.clientId()) && knows(s.clientId())) {
            // the cluster has it (held elsewhere, or a newer copy): this one is stale
            LOG.info(() -> "Session " + s.clientId() + " stored here is held by the cluster "
                + "now; the local copy is dropped");
            node.delete(s.clientId());
          } else {
            kept.add(s);
            copy(s);
          }
        }
        return kept;
      }
    };
  }

  /** @return the node's queue store, its writes copied to the cluster */
  QueueStore queues(QueueStore node) {
    return new QueueStore() {
      @Override
      public void put(String clientId, StoredDelivery delivery) {
        node.put(clientId, delivery);
        copy(clientId, delivery);
      }

      @Override
      public void remove(String clientId, long sequence) {
        node.remove(clientId, sequence);
        Set<Long> sequences = copied.get(clientId);
        if (sequences != null && sequences.remove(sequence)) {
          track(() -> queues.removeAsync(queueKey(clientId, sequence)));
        }
      }

      @Override
      public void clear(String clientId) {
        node.clear(clientId);
        dropQueue(clientId);
      }

      @Override
      public List<StoredDelivery> load(String clientId) {
        List<StoredDelivery> loaded = node.load(clientId);
        loaded.forEach(d -> copy(clientId, d));
        return loaded;
      }
    };
  }

  private void copy(StoredSession session) {
    if (isClients(session.clientId())) {
      track(() -> sessions.setAsync(session.clientId(),
          tagged(RecordCodec.encodeSession(session))));
    }
  }

  private void copy(String clientId, StoredDelivery delivery) {
    if (isClients(clientId)) {
      copied.computeIfAbsent(clientId, k -> ConcurrentHashMap.newKeySet())
          .add(delivery.sequence());
      track(() -> queues.setAsync(queueKey(clientId, delivery.sequence()),
          tagged(RecordCodec.encodeDelivery(delivery))));
    }
  }

  private void dropQueue(String clientId) {
    Set<Long> sequences = copied.remove(clientId);
    if (sequences != null) {
      for (long sequence : sequences) {
        track(() -> queues.submitToKey(queueKey(clientId, sequence), new HeldBy<>(self)));
      }
    }
  }

  /**
   * @return completes once every copy written so far is written with its backups (those
   *     another caller's wait collected first included); at once when acknowledgements do not
   *     wait for the copies
   */
  CompletableFuture<Void> written() {
    return awaitedWrites.written();
  }

  /** @return whether every copy write issued so far has completed, with or without success */
  boolean allWritten() {
    return unwritten.get() == 0;
  }

  /**
   * Issues one write of a copy, unless this node merges back after a split. A member that no
   * longer runs (stopping, or cut off) refuses it at once: the node's own store has the change,
   * and a store write never throws into the engine.
   */
  private void track(Supplier<CompletionStage<?>> write) {
    if (mergingBack.getAsBoolean()) {
      return; // the minority's sessions: the majority's copies win
    }
    try {
      CompletableFuture<?> issued = write.get().toCompletableFuture();
      unwritten.incrementAndGet();
      issued.whenComplete((done, failure) -> unwritten.decrementAndGet());
      if (awaited) {
        awaitedWrites.add(issued);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "A session's backup copy was not written: the cluster member does "
          + "not run", e);
    }
  }

  /** @return the node that held the session when its copy was written, null when none */
  String holderOf(String clientId) {
    byte[] copy = sessions.get(clientId);
    return copy == null ? null : writer(copy);
  }

  /** @return whether the cluster has a copy of the session or a node holding it */
  private boolean knows(String clientId) {
    return sessions.containsKey(clientId);
  }

  /**
   * Takes the copy of a session whose node left, for this node: the session is restored here
   * and this node then writes its own copies over the old ones, under the same keys. For a clean
   * start the copies are removed instead.
   *
   * @param writer the node that left, which wrote the copy
   * @return the session; null when another node took the copy first, or for a clean start
   * @throws RecordFormatException when the copy is damaged
   */
  ExportedSession take(String clientId, String writer, boolean cleanStart)
      throws RecordFormatException {
    byte[] copy = sessions.executeOnKey(clientId, new TakeCopy(writer, self));
    if (copy == null) {
      return null;
    }
    List<StoredDelivery> deliveries = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : queues.entrySet(new QueueKeyOf(clientId))) {
      if (cleanStart) {
        queues.remove(e.getKey());
      } else {
        deliveries.add(RecordCodec.decodeDelivery(record(e.getValue())));
      }
    }
    if (cleanStart) {
      sessions.remove(clientId);
      return null;
    }
    deliveries.sort(Comparator.comparingLong(StoredDelivery::sequence));
    onTaken.accept(writer, clientId);
    return new ExportedSession(RecordCodec.decodeSession(record(copy)), deliveries);
  }

  /** @return the client ids of the sessions whose copies that node wrote */
  Set<String> writtenBy(String node) {
    return sessions.keySet(new WrittenBy(node));
  }

  static String queueKey(String clientId, long sequence) {
    return clientId + SEPARATOR + sequence;
  }

  private byte[] tagged(byte[] record) {
    return tagged(self, record);
  }

  /** @return the record as a copy written by {@code node} */
  static byte[] tagged(String node, byte[] record) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(record.length + 40);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(node);
      out.write(record);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** @return the id of the node that wrote a copy */
  static String writer(byte[] copy) {
    int length = ((copy[0] & 0xFF) << 8) | (copy[1] & 0xFF);
    return new String(copy, 2, length, StandardCharsets.UTF_8);
  }

  /** @return the record of a copy, without its writer */
  static byte[] record(byte[] copy) {
    int length = ((copy[0] & 0xFF) << 8) | (copy[1] & 0xFF);
    return Arrays.copyOfRange(copy, 2 + length, copy.length);
  }

  /** An application's durable session (U+0000 first) stays on its node. */
  static boolean isClients(String clientId) {
    return !clientId.isEmpty() && clientId.charAt(0) != SEPARATOR;
  }
}
