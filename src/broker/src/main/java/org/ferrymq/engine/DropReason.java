package org.ferrymq.engine;

import java.util.Locale;

/**
 * Why a message did not reach a subscriber. None of these loses a QoS 1/2 message that an online
 * subscriber was due: those are held, and their publishers slowed, instead (docs/architecture.md).
 */
public enum DropReason {
  /** QoS 0 for a connected client whose backlog is at its bound (or the broker is overloaded). */
  QOS0_SLOW_SUBSCRIBER,
  /** QoS 0 for a client that is not connected (MQTT 4.1: the server may discard it). */
  QOS0_OFFLINE,
  /** Any QoS for an offline persistent session whose queue is at its bound. */
  OFFLINE_QUEUE_FULL,
  /** The message expiry interval passed before delivery. */
  EXPIRED,
  /** Larger than the subscriber's Maximum Packet Size [MQTT-3.1.2-25]. */
  TOO_LARGE,
  /** An MQTT 3 publish the ACL denies: acknowledged (3.1.1 has no negative PUBACK), not routed. */
  NOT_AUTHORIZED,
  /**
   * A message the subscriber's current identity may not read (the ACL was changed, or the
   * subscriber's rights were removed, after it subscribed or after the message was queued):
   * checked on the wire, queued, in flight or retained alike. One in flight is completed so the
   * window does not stall; one of a shared subscription goes to a member that may read it.
   */
  READ_DENIED;

  /** @return the lower-case name used as a metric label, e.g. {@code qos0_slow_subscriber} */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
