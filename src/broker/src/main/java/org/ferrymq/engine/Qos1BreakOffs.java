package org.ferrymq.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ferrymq.message.Message;

/**
 * An MQTT 3 client's QoS 1 messages whose routing broke off in a cluster (a receiver's delivery
 * threw, the others took it), by packet identifier. The client, whose connection was closed
 * for it, resends such a message with DUP and the same identifier [MQTT-4.4.0-1]; the resend
 * keeps the message's number, and so its identity on every node ({@link MessageOrigin}), and
 * leaves out who took it. A PUBLISH of that identifier without DUP, or with another content,
 * is a new message, and the entry goes. At most {@link #MAX_MESSAGES}, the oldest dropped
 * first. Confined to the session's lane.
 */
final class Qos1BreakOffs {
  /** Messages kept at most: one per failed delivery, resent as soon as the client is back. */
  static final int MAX_MESSAGES = 1_000;

  /** One message whose routing broke off, and who took it. */
  record BrokenOff(long contentHash, long sequence, AlreadyRouted took) {
  }

  private final Map<Integer, BrokenOff> byPacketId = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Integer, BrokenOff> eldest) {
      return size() > MAX_MESSAGES;
    }
  };

  /** The routing of {@code m}, PUBLISH {@code packetId}, broke off after {@code took} had it. */
  void brokeOff(int packetId, Message m, AlreadyRouted took) {
    byPacketId.remove(packetId);
    byPacketId.put(packetId, new BrokenOff(ContentHash.of(m), m.originSequence(), took));
  }

  /**
   * A QoS 1 PUBLISH arrives: forgets what its identifier held.
   *
   * @return the message whose routing broke off that this PUBLISH resends; null for a new one
   */
  BrokenOff resent(int packetId, boolean dup, Message m) {
    if (byPacketId.isEmpty()) {
      return null;
    }
    BrokenOff before = byPacketId.remove(packetId);
    return before != null && dup && before.contentHash() == ContentHash.of(m) ? before : null;
  }
}
