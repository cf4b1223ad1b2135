package org.ferrymq.persistence.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.packet.Will;
import org.ferrymq.persistence.DeliveryState;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredReceipt;
import org.ferrymq.persistence.SessionOwner;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.topic.SubscriptionEntry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RecordCodecTest {

  /** Every property type: byte, four-byte, string, binary, user properties. */
  static final Properties ALL_KINDS = Properties.builder()
      .put(Property.PAYLOAD_FORMAT_INDICATOR, 1)
      .put(Property.MESSAGE_EXPIRY_INTERVAL, 0xFFFF_FFFFL)
      .put(Property.CONTENT_TYPE, "text/plain; charset=ü")
      .put(Property.RESPONSE_TOPIC, "reply/to")
      .put(Property.CORRELATION_DATA, new byte[] {0, 1, 2, (byte) 0xFF})
      .userProperty("k", "v1")
      .userProperty("k", "v2")
      .put(Property.SUBSCRIPTION_IDENTIFIER, 268_435_455)
      .build();

  static Message message(String payload, Properties props) {
    return new Message("a/b/ü", payload.getBytes(StandardCharsets.UTF_8), QoS.EXACTLY_ONCE, true,
        props, 1_767_225_600_123L, "publisher-1");
  }

  static void assertMessage(Message expected, Message actual) {
    assertEquals(expected.topic(), actual.topic());
    assertArrayEquals(expected.payload(), actual.payload());
    assertEquals(expected.qos(), actual.qos());
    assertEquals(expected.retain(), actual.retain());
    assertEquals(expected.properties(), actual.properties());
    assertEquals(expected.expiresAtMillis(), actual.expiresAtMillis());
    assertEquals(expected.originClientId(), actual.originClientId());
    assertEquals(expected.originSequence(), actual.originSequence());
  }

  static void assertDelivery(StoredDelivery expected, StoredDelivery actual) {
    assertEquals(expected.sequence(), actual.sequence());
    assertMessage(expected.message(), actual.message());
    assertEquals(expected.qos(), actual.qos());
    assertEquals(expected.retain(), actual.retain());
    assertEquals(expected.subscriptionIdentifiers(), actual.subscriptionIdentifiers());
    assertEquals(expected.sharedFilter(), actual.sharedFilter());
    assertEquals(expected.packetId(), actual.packetId());
    assertEquals(expected.state(), actual.state());
  }

  @Test
  void sessionRoundTrip() throws Exception {
    StoredSession sut = new StoredSession("client-ü", 5, 0xFFFF_FFFFL, 1_767_225_600_000L,
        List.of(
            new SubscriptionEntry("client-ü", "a/+/c", null, QoS.AT_LEAST_ONCE, true, false,
                RetainHandling.SEND_IF_NEW_SUBSCRIPTION, 7),
            new SubscriptionEntry("client-ü", "#", "group", QoS.EXACTLY_ONCE, false, true,
                RetainHandling.DO_NOT_SEND, SubscriptionEntry.MAX_SUBSCRIPTION_IDENTIFIER),
            new SubscriptionEntry("client-ü", "plain", null, QoS.AT_MOST_ONCE, false, false,
                RetainHandling.SEND_ON_SUBSCRIBE, 0)),
        Set.of(1, 65_535, 300));

    // Exercise
    StoredSession back = RecordCodec.decodeSession(RecordCodec.encodeSession(sut));

    // Verify: records, lists and sets compare by value
    assertEquals(sut, back);
  }

  @Test
  void emptySessionRoundTrip() throws Exception {
    StoredSession sut = new StoredSession("c", 4, 0, 0, List.of(), Set.of());
    assertEquals(sut, RecordCodec.decodeSession(RecordCodec.encodeSession(sut)));
  }

  @ParameterizedTest
  @EnumSource(DeliveryState.class)
  void deliveryRoundTripInEveryState(DeliveryState state) throws Exception {
    StoredDelivery sut = new StoredDelivery(Long.MAX_VALUE, message("hello", ALL_KINDS),
        QoS.AT_LEAST_ONCE, true, List.of(1, 268_435_455), "$share/g/a/#",
        state == DeliveryState.QUEUED ? 0 : 65_535, state);

    StoredDelivery back = RecordCodec.decodeDelivery(RecordCodec.encodeDelivery(sut));

    assertDelivery(sut, back);
  }

  @Test
  void deliveryWithoutOptionalPartsRoundTrip() throws Exception {
    StoredDelivery sut = new StoredDelivery(1, Message.of("t", new byte[0], QoS.AT_MOST_ONCE,
        false), QoS.AT_MOST_ONCE, false, List.of(), null, 0, DeliveryState.QUEUED);
    StoredDelivery back = RecordCodec.decodeDelivery(RecordCodec.encodeDelivery(sut));
    assertDelivery(sut, back);
    assertEquals(Properties.EMPTY, back.message().properties());
  }

  @Test
  void messageRoundTripWithLargePayload() throws Exception {
    byte[] payload = new byte[300_000];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) i;
    }
    Message sut = new Message("big", payload, QoS.AT_LEAST_ONCE, true, Properties.EMPTY, 0, "");
    assertMessage(sut, RecordCodec.decodeMessage(RecordCodec.encodeMessage(sut)));
  }

  @Test
  void messageRecordLayout() {
    byte[] bytes = RecordCodec.encodeMessage(Message.of("t", new byte[] {9}, QoS.AT_LEAST_ONCE,
        true));
    byte[] expectedWithoutCrc = {
        3, // kind: message
        3, // layout version
        1, 't', // topic: varint length, UTF-8
        1, 9, // payload: varint length, bytes
        1, // qos
        1, // flags: retain
        0, 0, 0, 0, 0, 0, 0, 0, // expiresAt: never
        0, // origin: empty string
        0, // single-valued properties
        0, // user properties
        0, // subscription identifiers
    };
    assertEquals(expectedWithoutCrc.length + 4, bytes.length);
    for (int i = 0; i < expectedWithoutCrc.length; i++) {
      assertEquals(expectedWithoutCrc[i], bytes[i], "byte " + i);
    }
  }

  @Test
  void originSequenceIsFlaggedAndFollowsTheOrigin() throws Exception {
    Message sut = new Message("t", new byte[0], QoS.EXACTLY_ONCE, false, Properties.EMPTY, 0,
        "p", 0x0102_0304_0506_0708L);

    byte[] bytes = RecordCodec.encodeMessage(sut);

    byte[] expectedWithoutCrc = {
        3, // kind: message
        3, // layout version
        1, 't', // topic
        0, // payload: empty
        2, // qos
        2, // flags: bit 1, origin sequence present
        0, 0, 0, 0, 0, 0, 0, 0, // expiresAt: never
        1, 'p', // origin
        1, 2, 3, 4, 5, 6, 7, 8, // origin sequence
        0, 0, 0, // properties: none
    };
    assertEquals(expectedWithoutCrc.length + 4, bytes.length);
    for (int i = 0; i < expectedWithoutCrc.length; i++) {
      assertEquals(expectedWithoutCrc[i], bytes[i], "byte " + i);
    }
    assertMessage(sut, RecordCodec.decodeMessage(bytes));
  }

  @Test
  void sessionWithReceiptsAndWillRoundTrip() throws Exception {
    Will will = new Will("will/ü", new byte[] {1, 2, 3}, QoS.EXACTLY_ONCE, true,
        Properties.builder().put(Property.WILL_DELAY_INTERVAL, 600)
            .put(Property.MESSAGE_EXPIRY_INTERVAL, 30).put(Property.CONTENT_TYPE, "x")
            .userProperty("k", "v").build());
    StoredSession sut = new StoredSession("c", 5, 3_600, 1_000, List.of(),
        List.of(new StoredReceipt(65_535, Long.MIN_VALUE, 7, true),
            new StoredReceipt(1, 0x7FFF_FFFF_FFFF_FFFFL, 8, false)),
        9, will, 1_767_225_600_123L);

    StoredSession back = RecordCodec.decodeSession(RecordCodec.encodeSession(sut));

    assertEquals(sut.receipts(), back.receipts());
    assertEquals(9, back.nextInboundSequence());
    assertEquals(1_767_225_600_123L, back.willDueMillis());
    assertEquals(will.topic(), back.will().topic());
    assertArrayEquals(will.payload(), back.will().payload());
    assertEquals(will.qos(), back.will().qos());
    assertTrue(back.will().retain());
    assertEquals(will.properties(), back.will().properties());
    assertEquals(600, back.will().delayIntervalSeconds());
  }

  @Test
  @DisplayName("Layout 3 stores the session's owner: a user with its roles, anonymous, or "
      + "unknown")
  void sessionOwnerRoundTrips() throws Exception {
    for (SessionOwner owner : new SessionOwner[] {
        new SessionOwner("alice", Set.of("sensors", "operators")), SessionOwner.ANONYMOUS,
        null}) {
      StoredSession sut = new StoredSession("c", 5, 60, 0, List.of(), List.of(), 1, null, 0,
          owner);

      StoredSession back = RecordCodec.decodeSession(RecordCodec.encodeSession(sut));

      assertEquals(owner, back.owner());
    }
  }

  @Test
  void sessionOwnerRecordLayout() {
    byte[] bytes = RecordCodec.encodeSession(new StoredSession("c", 5, 0, 0, List.of(),
        List.of(), 1, null, 0, new SessionOwner("al", Set.of("r"))));
    byte[] expectedTail = {
        0, // no Will
        2, // owner kind: user
        2, 'a', 'l', // user
        1, // roles
        1, 'r', // role
    };
    int tail = bytes.length - 4 - expectedTail.length;
    assertEquals(3, bytes[1], "layout version");
    for (int i = 0; i < expectedTail.length; i++) {
      assertEquals(expectedTail[i], bytes[tail + i], "tail byte " + i);
    }
  }

  @Test
  @DisplayName("A version 2 session record (before owners) is read with no owner, which the "
      + "first client to resume it claims, and is written again in layout 3")
  void version2SessionRecordHasNoOwner() throws Exception {
    StoredSession stored = new StoredSession("c", 4, 60, 5, List.of(),
        List.of(new StoredReceipt(7, 99, 3, true)), 4, null, 0);
    byte[] v2 = Version2Records.session(stored);

    StoredSession back = RecordCodec.decodeSession(v2);

    assertEquals(2, v2[1]);
    assertNull(back.owner());
    assertEquals(stored, back);
    assertEquals(RecordCodec.VERSION, RecordCodec.encodeSession(back)[1]);
  }

  @Test
  @DisplayName("A version 1 session record (before content hashes) is read: its identifiers get"
      + " the unknown hash, so a resend with one of them is delivered, and it has no Will")
  void version1SessionRecordIsMigrated() throws Exception {
    byte[] v1 = Version1Records.session("c", 4, 10, 1, 65_535);

    StoredSession back = RecordCodec.decodeSession(v1);

    assertEquals(List.of(new StoredReceipt(1, StoredReceipt.UNKNOWN_HASH, 0, true),
        new StoredReceipt(65_535, StoredReceipt.UNKNOWN_HASH, 0, true)), back.receipts());
    assertNull(back.will());
    assertEquals(10, back.expiryIntervalSeconds());
    // written again in the current layout
    assertEquals(RecordCodec.VERSION, RecordCodec.encodeSession(back)[1]);
  }

  @Test
  void everyFlippedByteIsDetected() {
    byte[] good = RecordCodec.encodeDelivery(new StoredDelivery(3, message("x", ALL_KINDS),
        QoS.EXACTLY_ONCE, false, List.of(5), null, 0, DeliveryState.QUEUED));
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= 0x10;
      assertThrows(RecordFormatException.class, () -> RecordCodec.decodeDelivery(bad),
          "flipped byte " + i);
    }
  }

  @Test
  void truncatedRecordIsDetected() {
    byte[] good = RecordCodec.encodeSession(new StoredSession("c", 5, 10, 0, List.of(),
        Set.of(1)));
    for (int len = 0; len < good.length; len++) {
      byte[] bad = java.util.Arrays.copyOf(good, len);
      assertThrows(RecordFormatException.class, () -> RecordCodec.decodeSession(bad));
    }
  }

  @Test
  void newerLayoutVersionIsRefused() {
    byte[] record = RecordCodec.encodeMessage(message("m", Properties.EMPTY));
    record[1] = (byte) (RecordCodec.VERSION + 1);
    resealChecksum(record);

    RecordFormatException e = assertThrows(RecordFormatException.class,
        () -> RecordCodec.decodeMessage(record));

    assertTrue(e.getMessage().contains("layout version " + (RecordCodec.VERSION + 1)),
        e.getMessage());
  }

  @Test
  void wrongKindIsRefused() {
    byte[] record = RecordCodec.encodeMessage(message("m", Properties.EMPTY));
    RecordFormatException e = assertThrows(RecordFormatException.class,
        () -> RecordCodec.decodeSession(record));
    assertTrue(e.getMessage().contains("expected a session record"), e.getMessage());
  }

  @Test
  void damagedContentWithValidChecksumIsRefused() {
    byte[] record = RecordCodec.encodeMessage(message("m", Properties.EMPTY));
    record[2] = 0x7F; // topic length far beyond the record
    resealChecksum(record);
    assertThrows(RecordFormatException.class, () -> RecordCodec.decodeMessage(record));
  }

  private static void resealChecksum(byte[] record) {
    CRC32C crc = new CRC32C();
    crc.update(record, 0, record.length - 4);
    java.nio.ByteBuffer.wrap(record).putInt(record.length - 4, (int) crc.getValue());
  }
}
