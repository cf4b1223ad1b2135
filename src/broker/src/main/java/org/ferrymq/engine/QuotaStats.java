package org.ferrymq.engine;

import java.util.Map;

/**
 * A snapshot of the caps on durable state, for metrics (docs/architecture.md, "Caps").
 *
 * @param sessions sessions kept, connected or not (network clients only)
 * @param persistentSessions sessions with a non-zero expiry
 * @param retainedMessages retained messages kept
 * @param retainedBytes bytes of those messages: payload, topic and properties
 * @param refusals refusals since start, by cap
 */
public record QuotaStats(long sessions, long persistentSessions, long retainedMessages,
    long retainedBytes, Map<QuotaCap, Long> refusals) {

  public QuotaStats {
    refusals = Map.copyOf(refusals);
  }
}
