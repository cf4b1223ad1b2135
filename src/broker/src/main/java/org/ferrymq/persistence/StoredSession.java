package org.ferrymq.persistence;

import java.util.List;
import java.util.Set;
import org.ferrymq.packet.Will;
import org.ferrymq.topic.SubscriptionEntry;

/**
 * The durable part of a session.
 *
 * @param clientId the client identifier
 * @param protocolLevel protocol level of the last connection (3, 4 or 5)
 * @param expiryIntervalSeconds session expiry interval; 0xFFFFFFFF never expires
 * @param disconnectedAtMillis when the last connection ended, 0 while connected
 * @param subscriptions the session's subscriptions
 * @param receipts inbound QoS 2 PUBLISH packets received and not yet released by PUBREL
 * @param nextInboundSequence the number the client's next inbound QoS 2 message gets
 * @param will the Will of the open connection, or the Will waiting for its delay after the
 *     connection ended; null for none
 * @param willDueMillis when a waiting Will is due (epoch millis); 0 while its connection is
 *     open (a crash then ends the connection at the restart)
 * @param owner the identity the session belongs to; {@code null} for a record written before
 *     sessions had owners (layouts 1 and 2), which the first client to resume it claims
 */
public record StoredSession(String clientId, int protocolLevel, long expiryIntervalSeconds,
    long disconnectedAtMillis, List<SubscriptionEntry> subscriptions,
    List<StoredReceipt> receipts, long nextInboundSequence, Will will, long willDueMillis,
    SessionOwner owner) {

  public StoredSession {
    subscriptions = List.copyOf(subscriptions);
    receipts = List.copyOf(receipts);
  }

  /** A session in the layout of record version 2: everything but the owner. */
  public StoredSession(String clientId, int protocolLevel, long expiryIntervalSeconds,
      long disconnectedAtMillis, List<SubscriptionEntry> subscriptions,
      List<StoredReceipt> receipts, long nextInboundSequence, Will will, long willDueMillis) {
    this(clientId, protocolLevel, expiryIntervalSeconds, disconnectedAtMillis, subscriptions,
        receipts, nextInboundSequence, will, willDueMillis, null);
  }

  /**
   * A session in the layout of record version 1: packet identifiers without content hashes and
   * no Will.
   */
  public StoredSession(String clientId, int protocolLevel, long expiryIntervalSeconds,
      long disconnectedAtMillis, List<SubscriptionEntry> subscriptions,
      Set<Integer> awaitingPubrel) {
    this(clientId, protocolLevel, expiryIntervalSeconds, disconnectedAtMillis, subscriptions,
        awaitingPubrel.stream().sorted()
            .map(id -> new StoredReceipt(id, StoredReceipt.UNKNOWN_HASH, 0, true)).toList(),
        1, null, 0, null);
  }
}
