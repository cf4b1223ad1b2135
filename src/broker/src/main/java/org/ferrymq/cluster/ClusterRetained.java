package org.ferrymq.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.engine.ClusterPort;
import org.ferrymq.message.Message;
import org.ferrymq.persistence.RetainedStore;
import org.ferrymq.persistence.common.RecordCodec;
import org.ferrymq.persistence.common.RecordFormatException;

/**
 * Retained messages cluster-wide: a Hazelcast map from topic to message (with {@code
 * mqtt.cluster.backup-count} synchronous backups) is the truth, and every node keeps its own
 * copy in the engine's retained tree for subscribe-time matching.
 *
 * <p>The node that takes a retained PUBLISH applies it to its tree and its own store at once and
 * writes the map asynchronously (the publisher's lane does not wait for the network); every
 * node, the writer included, applies the map's events in the map's order per topic, so the
 * copies converge on the map's last write even when two nodes retain on one topic at once. A
 * message with an expiry gets it as the entry's time to live.
 */
final class ClusterRetained implements RetainedStore {
  private static final Logger LOG = Logger.getLogger(ClusterRetained.class.getName());

  private final RetainedStore local;
  private final IMap<String, byte[]> map;
  private final BooleanSupplier quorate;
  /** Whether the last cluster write failed: a failure is logged once, not per message. */
  private final AtomicBoolean failing = new AtomicBoolean();
  /**
   * Changes this node's side could not make cluster-wide while it lacked members, the latest per
   * topic (so bounded by the topics touched), written once it has them again.
   */
  private final Map<String, Change> unwritten = new ConcurrentHashMap<>();

  /**
   * One change to the map: a message to retain (as the latest, or as a seed the cluster's own
   * value beats), or a deletion.
   */
  private record Change(String topic, Message message, boolean seed) {
  }

  /**
   * @param quorate whether this node's side may change cluster-wide state now (split-brain
   *     protection, {@link SplitBrainGuard})
   */
  ClusterRetained(RetainedStore local, IMap<String, byte[]> map, BooleanSupplier quorate) {
    this.local = local;
    this.map = map;
    this.quorate = quorate;
  }

  @Override
  public void put(Message m) {
    local.put(m);
    if (!nodeOwn(m.topic())) {
      write(new Change(m.topic(), m, false));
    }
  }

  @Override
  public void remove(String topic) {
    local.remove(topic);
    if (!nodeOwn(topic)) {
      write(new Change(topic, null, false));
    }
  }

  private void write(Change c) {
    if (!quorate.getAsBoolean()) {
      unwritten.put(c.topic(), c);
      refused(c.topic());
      return;
    }
    if (!unwritten.isEmpty()) {
      writeUnwritten();
    }
    send(c);
  }

  private void send(Change c) {
    CompletionStage<?> done;
    if (c.message() == null) {
      done = map.deleteAsync(c.topic());
    } else if (c.seed()) {
      // IMap has no asynchronous putIfAbsent; seeds are few, and only after a start
      done = CompletableFuture.runAsync(() -> map.putIfAbsent(c.topic(),
          RecordCodec.encodeMessage(c.message())));
    } else if (c.message().expiresAtMillis() == 0) {
      done = map.setAsync(c.topic(), RecordCodec.encodeMessage(c.message()));
    } else {
      long ttl = Math.max(1, c.message().expiresAtMillis() - System.currentTimeMillis());
      done = map.setAsync(c.topic(), RecordCodec.encodeMessage(c.message()), ttl,
          TimeUnit.MILLISECONDS);
    }
    done.whenComplete((v, e) -> {
      if (e == null) {
        if (failing.compareAndSet(true, false)) {
          LOG.info("Retained changes reach the cluster again");
        }
      } else if (SplitBrainGuard.refusedForSplit(e)) {
        // a later change of the topic, made meanwhile, stays the one to write
        unwritten.putIfAbsent(c.topic(), c);
        refused(c.topic());
      } else if (failing.compareAndSet(false, true)) {
        LOG.log(Level.WARNING, "The retained change on '" + c.topic() + "' did not reach the "
            + "cluster (further failures are not logged until a write succeeds again)", e);
      }
    });
  }

  /**
   * A change this node's side may not make cluster-wide yet: its subscribers see it at once,
   * the cluster once the side has its members again; when a split heals instead, the majority's
   * messages win (docs/cluster.md, "Split brain").
   */
  private void refused(String topic) {
    if (failing.compareAndSet(false, true)) {
      LOG.warning(() -> "The retained change on '" + topic + "' stays on this node for now: its "
          + "side of the cluster has fewer members than mqtt.cluster.min-members, so it may not "
          + "change cluster-wide retained messages; such changes are written once it has them "
          + "(further refusals are not logged until a write succeeds)");
    }
  }

  /** This node's side has its members again ({@link SplitBrainGuard#afterJoin}). */
  void quorumRegained() {
    if (!unwritten.isEmpty()) {
      writeUnwritten();
    }
  }

  private void writeUnwritten() {
    if (!quorate.getAsBoolean()) {
      return;
    }
    for (String topic : List.copyOf(unwritten.keySet())) {
      Change c = unwritten.remove(topic);
      if (c != null) {
        send(c);
      }
    }
  }

  /**
   * @return whether a retained topic belongs to this node only: {@code $SYS/...}, and any
   *     topic starting with {@code $} (MQTT 4.7.2 leaves those to the server), carries this
   *     node's own figures; shared, each node's would overwrite the others'. Such entries that
   *     an older version put in the map are ignored.
   */
  static boolean nodeOwn(String topic) {
    return topic.startsWith("$");
  }

  /**
   * The cluster's retained messages, after adding this node's stored ones that the cluster does
   * not know (a node that kept retained messages before it joined, or the first node of a
   * cluster, seeds the map).
   */
  @Override
  public List<Message> loadRetained() {
    List<Message> own = new ArrayList<>();
    for (Message m : local.loadRetained()) {
      if (nodeOwn(m.topic())) {
        own.add(m);
        continue;
      }
      if (quorate.getAsBoolean()) {
        map.putIfAbsent(m.topic(), RecordCodec.encodeMessage(m));
      } else {
        // the first member of a protected cluster: it seeds once enough members joined
        own.add(m);
        unwritten.put(m.topic(), new Change(m.topic(), m, true));
      }
    }
    List<Message> all = new ArrayList<>(own);
    map.forEach((topic, value) -> {
      Message m = nodeOwn(topic) ? null : decode(topic, value);
      if (m != null) {
        all.add(m);
      }
    });
    return all;
  }

  /** Applies the map's changes to this node's retained tree. */
  static final class Mirror implements EntryAddedListener<String, byte[]>,
      EntryUpdatedListener<String, byte[]>, EntryRemovedListener<String, byte[]>,
      EntryExpiredListener<String, byte[]> {
    private final ClusterPort port;

    Mirror(ClusterPort port) {
      this.port = port;
    }

    @Override
    public void entryAdded(EntryEvent<String, byte[]> event) {
      apply(event);
    }

    @Override
    public void entryUpdated(EntryEvent<String, byte[]> event) {
      apply(event);
    }

    @Override
    public void entryRemoved(EntryEvent<String, byte[]> event) {
      removed(event);
    }

    @Override
    public void entryExpired(EntryEvent<String, byte[]> event) {
      removed(event);
    }

    private void removed(EntryEvent<String, byte[]> event) {
      if (!nodeOwn(event.getKey())) {
        port.mirrorRetainedRemoved(event.getKey());
      }
    }

    private void apply(EntryEvent<String, byte[]> event) {
      Message m = nodeOwn(event.getKey()) ? null : decode(event.getKey(), event.getValue());
      if (m != null) {
        port.mirrorRetained(m);
      }
    }
  }

  private static Message decode(String topic, byte[] value) {
    try {
      return RecordCodec.decodeMessage(value);
    } catch (RecordFormatException e) {
      LOG.log(Level.SEVERE, "The cluster's retained message on '" + topic
          + "' cannot be read; it is left out", e);
      return null;
    }
  }
}
