package org.ferrymq.cluster;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;

/**
 * Takes the backup copy of a session whose node left, atomically on the copy's partition: the
 * copy is re-tagged with the taking node and its former bytes returned, only while the node
 * that left is still its writer. Of two nodes restoring the same session at once (a client's
 * CONNECT, a survivor adopting the orphans) one gets it; the other finds the new holder.
 */
final class TakeCopy implements EntryProcessor<String, byte[], byte[]> {
  private static final long serialVersionUID = 1L;
  private final String from;
  private final String to;

  TakeCopy(String from, String to) {
    this.from = from;
    this.to = to;
  }

  @Override
  public byte[] process(Map.Entry<String, byte[]> entry) {
    byte[] copy = entry.getValue();
    if (copy == null || !from.equals(SessionBackups.writer(copy))) {
      return null;
    }
    entry.setValue(SessionBackups.tagged(to, SessionBackups.record(copy)));
    return copy;
  }
}
