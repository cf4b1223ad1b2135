package org.ferrymq.cluster;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;

/**
 * Removes a session's cluster-wide entry (its directory entry, or a backup copy written by
 * {@link SessionBackups}) only while it still names the node that asks: a node that ends or
 * hands over a session must not remove what the node that took it wrote meanwhile. Runs on the
 * entry's partition, atomically.
 */
final class HeldBy<V> implements EntryProcessor<String, V, Boolean> {
  private static final long serialVersionUID = 1L;
  private final String node;

  HeldBy(String node) {
    this.node = node;
  }

  @Override
  public Boolean process(Map.Entry<String, V> entry) {
    Object value = entry.getValue();
    boolean held = value instanceof byte[] copy ? node.equals(SessionBackups.writer(copy))
        : node.equals(value);
    if (held) {
      entry.setValue(null);
    }
    return held;
  }
}
