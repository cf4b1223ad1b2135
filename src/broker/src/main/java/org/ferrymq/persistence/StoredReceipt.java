package org.ferrymq.persistence;

/**
 * An inbound QoS 2 PUBLISH the broker holds the packet identifier of until PUBREL (spec 4.3.3).
 *
 * @param packetId the client's packet identifier
 * @param contentHash {@code ContentHash} of topic, payload, QoS, RETAIN and properties, which
 *     tells a resent PUBLISH from a new one reusing the identifier; {@link #UNKNOWN_HASH} for a
 *     receipt from a store written before hashes were kept
 * @param sequence the message's number in the client's inbound QoS 2 stream; its deliveries
 *     carry it ({@code Message.originSequence}); 0 when unknown
 * @param routed whether every receiving session had stored the message when this was written;
 *     false while routing is under way, which recovery reads as "possibly reached only some"
 */
public record StoredReceipt(int packetId, long contentHash, long sequence, boolean routed) {
  /** The hash of a receipt stored without one: a resend cannot be told from a new message. */
  public static final long UNKNOWN_HASH = 0;
}
