package org.ferrymq.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ferrymq.persistence.StoredReceipt;

/**
 * The inbound QoS 2 state of one session (spec 4.3.3, method B): the packet identifiers of
 * PUBLISH packets received and routed, held until PUBREL, each with the {@link ContentHash} of
 * its message and its number in the client's inbound QoS 2 stream.
 *
 * <p>Which PUBLISH is a duplicate is decided by content, as Mosquitto does: a PUBLISH with a
 * held identifier is the same message only if it has DUP set and the same content. DUP 0 means
 * a first attempt [MQTT-3.3.1-1], so the client considers the earlier exchange finished (it saw
 * PUBCOMP, which the broker sends only once the release is durable, or it lost its own state);
 * different content is a different message whatever the flag says; and a receipt read from a
 * store that kept no hash cannot be matched. All three are new messages [MQTT-4.3.3-12] and are
 * delivered: a message is delivered twice only if a client reuses an unreleased identifier with
 * DUP set and a different message whose fingerprint collides, and never swallowed for reusing
 * an identifier.
 *
 * <p>Confined to the session's lane.
 */
final class InboundQos2 {

  /** What a QoS 2 PUBLISH is, given the identifiers held. */
  enum Verdict {
    /** No receipt for the identifier: a new message. */
    NEW,
    /** A resend of a held message: PUBREC again, no routing [MQTT-4.3.3-10]. */
    DUPLICATE,
    /**
     * A resend of a message whose routing a crash interrupted: routed to the sessions it had
     * not reached yet.
     */
    RESUME,
    /** A held identifier reused for a new message: the old receipt is replaced. */
    REUSED
  }

  /** One held packet identifier. */
  static final class Receipt {
    final int packetId;
    final long contentHash;
    final long sequence;
    private boolean routed;
    /** Set for a receipt recovered while its routing was under way; null otherwise. */
    private AlreadyRouted recovered;

    Receipt(int packetId, long contentHash, long sequence, boolean routed,
        AlreadyRouted recovered) {
      this.packetId = packetId;
      this.contentHash = contentHash;
      this.sequence = sequence;
      this.routed = routed;
      this.recovered = recovered;
    }

    /** @return the sessions a resend must not reach again; null if routing did not break off */
    AlreadyRouted recovered() {
      return recovered;
    }
  }

  private final Map<Integer, Receipt> receipts = new LinkedHashMap<>();
  /**
   * Starts at the creation time in milliseconds shifted by 20 bits, not at 1: a client's later
   * session (after a clean start) then numbers its messages past its earlier one's, so client id
   * and number name one message cluster-wide ({@link MessageOrigin}) and in recovery.
   */
  private long nextSequence = System.currentTimeMillis() << 20;

  /**
   * @param packetId the PUBLISH's packet identifier
   * @param dup its DUP flag
   * @param contentHash {@link ContentHash} of its message
   * @return what it is
   */
  Verdict classify(int packetId, boolean dup, long contentHash) {
    Receipt r = receipts.get(packetId);
    if (r == null) {
      return Verdict.NEW;
    }
    if (!dup || r.contentHash == StoredReceipt.UNKNOWN_HASH || r.contentHash != contentHash) {
      return Verdict.REUSED;
    }
    return r.recovered != null ? Verdict.RESUME : Verdict.DUPLICATE;
  }

  /**
   * Holds the identifier for a new message (replacing a receipt it may have), routing not yet
   * done.
   *
   * @return the receipt, with the message's number in the inbound stream
   */
  Receipt accept(int packetId, long contentHash) {
    Receipt r = new Receipt(packetId, contentHash, nextSequence++, false, null);
    receipts.remove(packetId);
    receipts.put(packetId, r);
    return r;
  }

  /** @return the receipt held for the identifier, or null */
  Receipt get(int packetId) {
    return receipts.get(packetId);
  }

  /**
   * Every receiving session has stored the message of {@code r}; a no-op if the identifier was
   * released or reused meanwhile.
   *
   * @return whether the receipt changed
   */
  boolean routed(Receipt r) {
    if (receipts.get(r.packetId) != r || (r.routed && r.recovered == null)) {
      return false;
    }
    r.routed = true;
    r.recovered = null;
    return true;
  }

  /**
   * Routing of {@code r} broke off (a receiver could not take the message): the receipt stays,
   * not routed, with the sessions that took it, so the client's resend is a {@link
   * Verdict#RESUME} that reaches only the others. A no-op if the identifier was released or
   * reused meanwhile.
   */
  void brokeOff(Receipt r, AlreadyRouted taken) {
    if (receipts.get(r.packetId) == r) {
      r.routed = false;
      r.recovered = taken;
    }
  }

  /** PUBREL: @return whether the identifier was held */
  boolean release(int packetId) {
    return receipts.remove(packetId) != null;
  }

  int size() {
    return receipts.size();
  }

  /** @return the number the client's next inbound QoS 2 message gets */
  long nextSequence() {
    return nextSequence;
  }

  /**
   * Numbers a QoS 0 or 1 message of the client from the same stream, so that it too has an
   * identity cluster-wide ({@link MessageOrigin}); only a clustered broker asks. Its receiver
   * keeps no receipt for it.
   *
   * @return the message's number
   */
  long numberOther() {
    return nextSequence++;
  }

  /** @return the receipts for the session record, in the order they were taken */
  List<StoredReceipt> snapshot() {
    List<StoredReceipt> out = new ArrayList<>(receipts.size());
    for (Receipt r : receipts.values()) {
      out.add(new StoredReceipt(r.packetId, r.contentHash, r.sequence, r.routed));
    }
    return out;
  }

  /**
   * Restores the receipts of a stored session. A receipt whose routing had not completed gets
   * the sessions its deliveries were found in, so a resend reaches only the others.
   *
   * @param stored the stored receipts
   * @param storedNextSequence the stored next sequence
   * @param reached for a sequence number, the sessions found holding that message; absent
   *     when none
   */
  void restore(List<StoredReceipt> stored, long storedNextSequence,
      java.util.function.LongFunction<AlreadyRouted> reached) {
    nextSequence = Math.max(nextSequence, storedNextSequence);
    for (StoredReceipt s : stored) {
      AlreadyRouted holders = null;
      if (!s.routed()) {
        holders = reached.apply(s.sequence());
        if (holders == null) {
          holders = AlreadyRouted.collecting();
        }
      }
      receipts.put(s.packetId(), new Receipt(s.packetId(), s.contentHash(), s.sequence(),
          s.routed(), holders));
      nextSequence = Math.max(nextSequence, s.sequence() + 1);
    }
  }
}
