package org.ferrymq.cluster;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;

/**
 * Removes a Will copy ({@link WillCopies}) only while it is still the one that node wrote for
 * that connection: a later connection of the same client, here or on another node, wrote its
 * own. Runs on the entry's partition, atomically.
 */
final class ReleaseWill implements EntryProcessor<String, byte[], Boolean> {
  private static final long serialVersionUID = 1L;
  private final String node;
  private final long token;

  ReleaseWill(String node, long token) {
    this.node = node;
    this.token = token;
  }

  @Override
  public Boolean process(Map.Entry<String, byte[]> entry) {
    byte[] copy = entry.getValue();
    boolean same = copy != null && node.equals(SessionBackups.writer(copy))
        && WillCopies.token(SessionBackups.record(copy)) == token;
    if (same) {
      entry.setValue(null);
    }
    return same;
  }
}
