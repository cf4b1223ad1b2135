package org.ferrymq.cluster;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;

/**
 * Removes a session directory entry only while it still names the node that asks: a node that
 * ends or hands over a session must not remove the entry of the node that took it meanwhile.
 * Runs on the entry's partition, atomically.
 */
final class HeldBy implements EntryProcessor<String, String, Boolean> {
  private static final long serialVersionUID = 1L;
  private final String node;

  HeldBy(String node) {
    this.node = node;
  }

  @Override
  public Boolean process(Map.Entry<String, String> entry) {
    if (node.equals(entry.getValue())) {
      entry.setValue(null);
      return Boolean.TRUE;
    }
    return Boolean.FALSE;
  }
}
