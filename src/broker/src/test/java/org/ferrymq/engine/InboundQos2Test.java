package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.ferrymq.engine.InboundQos2.Verdict;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.StoredReceipt;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The rule that tells a resent QoS 2 PUBLISH from a new message reusing its packet identifier
 * (spec 4.3.3 method B; Mosquitto decides by content the same way), and the content fingerprint
 * it uses.
 */
class InboundQos2Test {
  private static final long HASH = ContentHash.of(message("t", "payload"));
  private static final long OTHER = ContentHash.of(message("t", "other"));

  private final InboundQos2 sut = new InboundQos2();

  private static Message message(String topic, String payload) {
    return new Message(topic, payload.getBytes(StandardCharsets.UTF_8), QoS.EXACTLY_ONCE, false,
        Properties.EMPTY, 0, "pub");
  }

  @Test
  @DisplayName("[MQTT-4.3.3-8] an identifier not held is a new message")
  void unknownIdentifierIsNew() {
    assertEquals(Verdict.NEW, sut.classify(1, false, HASH));
    assertEquals(Verdict.NEW, sut.classify(1, true, HASH));
  }

  @Test
  @DisplayName("[MQTT-4.3.3-10] until PUBREL, a PUBLISH with the held identifier, DUP set and the"
      + " same content is a duplicate: PUBREC again, not delivered again")
  void resendWithDupAndSameContentIsADuplicate() {
    sut.accept(1, HASH);
    assertEquals(Verdict.DUPLICATE, sut.classify(1, true, HASH));
  }

  @Test
  @DisplayName("[MQTT-3.3.1-1] DUP 0 is a first delivery attempt: a held identifier reused with"
      + " DUP 0 is a new message, even with the same content")
  void dupZeroIsANewMessage() {
    sut.accept(1, HASH);
    assertEquals(Verdict.REUSED, sut.classify(1, false, HASH));
  }

  @Test
  @DisplayName("A held identifier with DUP set but other content is a new message, as in"
      + " Mosquitto's handle_publish: delivered, never swallowed")
  void otherContentIsANewMessage() {
    sut.accept(1, HASH);
    assertEquals(Verdict.REUSED, sut.classify(1, true, OTHER));
  }

  @Test
  @DisplayName("[MQTT-4.3.3-12] after PUBREL (and so PUBCOMP) the identifier is free: any PUBLISH"
      + " with it is a new message")
  void releasedIdentifierIsFree() {
    sut.accept(1, HASH);
    assertTrue(sut.release(1));
    assertFalse(sut.release(1));
    assertEquals(Verdict.NEW, sut.classify(1, true, HASH));
  }

  @Test
  @DisplayName("A receipt read from a version 1 store has no hash: its identifier is ambiguous"
      + " and a resend with it is delivered rather than swallowed")
  void receiptWithoutHashIsNeverADuplicate() {
    sut.restore(List.of(new StoredReceipt(1, StoredReceipt.UNKNOWN_HASH, 0, true)), 1, s -> null);
    assertEquals(Verdict.REUSED, sut.classify(1, true, HASH));
  }

  @Test
  @DisplayName("A receipt recovered while its routing was under way is resumed by a resend with"
      + " DUP and the same content, once; the sessions found holding the message are kept")
  void interruptedRoutingIsResumedOnce() {
    AlreadyRouted holders = AlreadyRouted.collecting();
    holders.add("s1", null);
    sut.restore(List.of(new StoredReceipt(9, HASH, 4, false)), 5, s -> s == 4 ? holders : null);

    assertEquals(Verdict.RESUME, sut.classify(9, true, HASH));
    assertEquals(Verdict.REUSED, sut.classify(9, false, HASH));
    InboundQos2.Receipt r = sut.get(9);
    assertEquals(holders, r.recovered());
    assertTrue(sut.routed(r));
    assertEquals(Verdict.DUPLICATE, sut.classify(9, true, HASH));
    assertEquals(List.of(new StoredReceipt(9, HASH, 4, true)), sut.snapshot());
  }

  @Test
  @DisplayName("An unrouted receipt whose message no session stored resumes to every receiver")
  void interruptedRoutingWithoutHoldersResumesToAll() {
    sut.restore(List.of(new StoredReceipt(9, HASH, 4, false)), 5, s -> null);
    assertEquals(Verdict.RESUME, sut.classify(9, true, HASH));
    assertEquals(0, sut.get(9).recovered().size());
  }

  @Test
  @DisplayName("Every new message gets the next number of the inbound stream, also across a"
      + " restore; a reused identifier replaces its receipt")
  void sequencesIncreaseAndSurviveARestore() {
    InboundQos2.Receipt first = sut.accept(1, HASH);
    InboundQos2.Receipt second = sut.accept(1, OTHER);
    assertEquals(first.sequence + 1, second.sequence);
    assertFalse(sut.routed(first), "the replaced receipt is stale");
    assertTrue(sut.routed(second));
    assertEquals(1, sut.size());

    InboundQos2 restored = new InboundQos2();
    restored.restore(sut.snapshot(), sut.nextSequence(), s -> null);
    assertTrue(restored.accept(2, HASH).sequence > second.sequence);
    assertEquals(Verdict.DUPLICATE, restored.classify(1, true, OTHER));
  }

  @Test
  void aLaterSessionNumbersItsMessagesPastAnEarlierOnes() throws InterruptedException {
    // with the client id, the number names one message cluster-wide (MessageOrigin), even after
    // the publisher reconnected with a clean start
    long earlier = sut.accept(1, HASH).sequence;
    Thread.sleep(2);

    long later = new InboundQos2().accept(1, HASH).sequence;

    assertTrue(earlier > 1, "not from 1: " + earlier);
    assertTrue(later > earlier + 1_000, earlier + " then " + later);
  }

  @Test
  @DisplayName("The fingerprint covers topic, payload, QoS, RETAIN and properties, not the"
      + " Message Expiry Interval a resend may count down")
  void contentHashCoversWhatSubscribersGet() {
    Message base = message("t", "payload");
    assertEquals(HASH, ContentHash.of(message("t", "payload")));
    assertNotEquals(HASH, ContentHash.of(message("u", "payload")));
    assertNotEquals(HASH, ContentHash.of(message("t", "payloae")));
    assertNotEquals(HASH, ContentHash.of(new Message("t", base.payload(), QoS.AT_LEAST_ONCE,
        false, Properties.EMPTY, 0, "pub")));
    assertNotEquals(HASH, ContentHash.of(base.withRetain(true)));
    assertNotEquals(HASH, ContentHash.of(new Message("t", base.payload(), QoS.EXACTLY_ONCE,
        false, Properties.builder().userProperty("k", "v").build(), 0, "pub")));
    assertNotEquals(HASH, ContentHash.of(new Message("t", base.payload(), QoS.EXACTLY_ONCE,
        false, Properties.builder().put(Property.PAYLOAD_FORMAT_INDICATOR, 1).build(), 0,
        "pub")));
    // field boundaries count: "ab"+"c" is not "a"+"bc"
    assertNotEquals(ContentHash.of(message("a", "bc")), ContentHash.of(message("ab", "c")));
    assertEquals(HASH, ContentHash.of(new Message("t", base.payload(), QoS.EXACTLY_ONCE, false,
        Properties.EMPTY, 1_767_225_600_000L, "pub")), "the expiry deadline is not content");
    assertNotEquals(StoredReceipt.UNKNOWN_HASH, HASH);
  }
}
