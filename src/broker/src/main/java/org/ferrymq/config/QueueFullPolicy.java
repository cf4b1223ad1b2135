package org.ferrymq.config;

/** What a full session queue does with one more message. Either way the drop is counted. */
public enum QueueFullPolicy {
  /** Discard the oldest queued message to make room. */
  DROP_OLDEST,
  /** Discard the new message (for MQTT 5 QoS 1/2 publishers: reason 0x97 Quota exceeded). */
  REJECT_NEW
}
