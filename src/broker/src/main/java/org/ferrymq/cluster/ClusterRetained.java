package org.ferrymq.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

  ClusterRetained(RetainedStore local, IMap<String, byte[]> map) {
    this.local = local;
    this.map = map;
  }

  @Override
  public void put(Message m) {
    local.put(m);
    if (nodeOwn(m.topic())) {
      return;
    }
    byte[] value = RecordCodec.encodeMessage(m);
    if (m.expiresAtMillis() == 0) {
      map.setAsync(m.topic(), value);
    } else {
      long ttl = Math.max(1, m.expiresAtMillis() - System.currentTimeMillis());
      map.setAsync(m.topic(), value, ttl, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void remove(String topic) {
    local.remove(topic);
    if (!nodeOwn(topic)) {
      map.deleteAsync(topic);
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
      } else {
        map.putIfAbsent(m.topic(), RecordCodec.encodeMessage(m));
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
