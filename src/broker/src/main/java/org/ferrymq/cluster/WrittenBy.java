package org.ferrymq.cluster;

import com.hazelcast.query.Predicate;
import java.util.Map;

/** Selects the session copies one node wrote ({@link SessionBackups#writer}). */
final class WrittenBy implements Predicate<String, byte[]> {
  private static final long serialVersionUID = 1L;
  private final String node;

  WrittenBy(String node) {
    this.node = node;
  }

  @Override
  public boolean apply(Map.Entry<String, byte[]> entry) {
    return node.equals(SessionBackups.writer(entry.getValue()));
  }
}
