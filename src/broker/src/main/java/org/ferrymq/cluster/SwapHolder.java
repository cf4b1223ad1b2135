package org.ferrymq.cluster;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;

/**
 * Names a new holder in a session's directory entry and answers the one it named before, in one
 * step on the entry's partition. Two CONNECTs for one client id on two nodes at once are thus
 * put in an order: each claimant asks the node named before it, so the later one takes over the
 * session the earlier one is creating, and one session remains ({@link ClusterSessions#claim}).
 * With an expected holder, it changes the entry only while the entry still names that one: a
 * claim that failed gives the entry back.
 */
final class SwapHolder implements EntryProcessor<String, String, String> {
  private static final long serialVersionUID = 1L;
  private final String holder;
  private final String expected;

  /**
   * @param holder the node to name; null removes the entry
   * @param expected the node the entry must name for the change; null for any
   */
  SwapHolder(String holder, String expected) {
    this.holder = holder;
    this.expected = expected;
  }

  /** @return the node named before, null when there was none */
  @Override
  public String process(Map.Entry<String, String> entry) {
    String before = entry.getValue();
    if (expected == null || expected.equals(before)) {
      entry.setValue(holder);
    }
    return before;
  }
}
