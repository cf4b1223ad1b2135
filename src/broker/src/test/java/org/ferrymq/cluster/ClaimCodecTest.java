package org.ferrymq.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.ferrymq.engine.ExportedSession;
import org.ferrymq.engine.MessageOrigin;
import org.ferrymq.engine.SessionClaim;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.Subscription;
import org.ferrymq.persistence.DeliveryState;
import org.ferrymq.persistence.SessionOwner;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredReceipt;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.persistence.common.RecordFormatException;
import org.ferrymq.topic.SubscriptionEntry;
import org.junit.jupiter.api.Test;

/** A session crosses between nodes whole (record, deliveries in order, owner) or not at all. */
class ClaimCodecTest {

  @Test
  void aHandedOverSessionRoundTripsWithItsDeliveries() throws RecordFormatException {
    StoredSession record = new StoredSession("mover", 5, 300, 1_900_000_000_000L,
        List.of(SubscriptionEntry.of("mover", new Subscription("a/#", QoS.AT_LEAST_ONCE), 3)),
        List.of(new StoredReceipt(7, 42, 3, true)), 4, null, 0,
        new SessionOwner("alice", Set.of("ops")));
    StoredDelivery inFlight = new StoredDelivery(1, message("one"), QoS.AT_LEAST_ONCE, false,
        List.of(), null, 9, DeliveryState.AWAITING_ACK);
    StoredDelivery queued = new StoredDelivery(2, message("two"), QoS.EXACTLY_ONCE, false,
        List.of(5), null, 0, DeliveryState.QUEUED);

    List<MessageOrigin> recentlyTaken = List.of(new MessageOrigin("publisher", 1L << 40),
        new MessageOrigin("pübli", 7));

    SessionClaim sut = ClaimCodec.decode(ClaimCodec.encode(SessionClaim.handedOver(
        new ExportedSession(record, List.of(inFlight, queued), recentlyTaken))));

    assertEquals(SessionClaim.Outcome.HANDED_OVER, sut.outcome());
    StoredSession got = sut.session().session();
    assertEquals(record.clientId(), got.clientId());
    assertEquals(record.expiryIntervalSeconds(), got.expiryIntervalSeconds());
    assertEquals(record.subscriptions(), got.subscriptions());
    assertEquals(record.receipts(), got.receipts());
    assertEquals(record.owner(), got.owner());
    List<StoredDelivery> deliveries = sut.session().deliveries();
    assertEquals(List.of(1L, 2L), deliveries.stream().map(StoredDelivery::sequence).toList());
    assertEquals(9, deliveries.get(0).packetId());
    assertEquals(DeliveryState.AWAITING_ACK, deliveries.get(0).state());
    assertEquals(List.of(5), deliveries.get(1).subscriptionIdentifiers());
    assertArrayEquals(queued.message().payload(), deliveries.get(1).message().payload());
    assertEquals(recentlyTaken, sut.session().recentlyTaken(), "the QoS 2 messages it took lately");
  }

  @Test
  void refusalsKeepTheirReason() throws RecordFormatException {
    SessionClaim sut = ClaimCodec.decode(ClaimCodec.encode(SessionClaim.refused("not yours")));

    assertEquals(SessionClaim.Outcome.REFUSED, sut.outcome());
    assertEquals("not yours", sut.reason());
    assertNull(sut.session());
  }

  @Test
  void aDamagedAnswerIsRefusedRatherThanRestored() {
    byte[] encoded = ClaimCodec.encode(SessionClaim.handedOver(new ExportedSession(
        new StoredSession("x", 4, 60, 0, List.of(), List.of(), 1, null, 0, SessionOwner.ANONYMOUS),
        List.of(new StoredDelivery(1, message("m"), QoS.AT_LEAST_ONCE, false, List.of(), null, 0,
            DeliveryState.QUEUED)))));
    byte[] flipped = encoded.clone();
    flipped[flipped.length - 3] ^= 0x20;

    assertThrows(RecordFormatException.class, () -> ClaimCodec.decode(flipped));
    assertThrows(RecordFormatException.class,
        () -> ClaimCodec.decode(Arrays.copyOf(encoded, encoded.length - 1)));
    assertThrows(RecordFormatException.class, () -> ClaimCodec.decode(new byte[] {9}));
  }

  private static Message message(String payload) {
    return new Message("a/b", payload.getBytes(StandardCharsets.UTF_8), QoS.EXACTLY_ONCE,
        false, Properties.EMPTY, 0, "publisher");
  }
}
