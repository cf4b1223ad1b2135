package org.ferrymq.cluster;

import com.hazelcast.query.Predicate;
import java.util.Map;

/** Selects the backup copies of one session's deliveries ({@link SessionBackups#queueKey}). */
final class QueueKeyOf implements Predicate<String, byte[]> {
  private static final long serialVersionUID = 1L;
  private final String prefix;

  QueueKeyOf(String clientId) {
    this.prefix = clientId + SessionBackups.SEPARATOR;
  }

  @Override
  public boolean apply(Map.Entry<String, byte[]> entry) {
    return entry.getKey().startsWith(prefix);
  }
}
