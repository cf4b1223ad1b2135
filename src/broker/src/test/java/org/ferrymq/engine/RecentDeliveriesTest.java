package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.QoS;
import org.junit.jupiter.api.Test;

/**
 * A session that moved between nodes takes each message once, by its cluster-wide identity
 * (publisher and number), for a bounded time and number of messages.
 */
class RecentDeliveriesTest {
  private static final long NOW = 1_000_000_000L;

  @Test
  void aSecondCopyOfAMessageIsRecognised() {
    RecentDeliveries sut = new RecentDeliveries(List.of(), NOW + 1_000);

    // Exercise
    boolean first = sut.takenBefore(message("pub", 7, QoS.EXACTLY_ONCE));
    boolean second = sut.takenBefore(message("pub", 7, QoS.EXACTLY_ONCE));

    // Verify [MQTT-4.3.3-2]
    assertFalse(first);
    assertTrue(second, "the other copy of one message");
    assertFalse(sut.takenBefore(message("pub", 8, QoS.AT_LEAST_ONCE)));
    assertTrue(sut.takenBefore(message("pub", 8, QoS.AT_LEAST_ONCE)), "QoS 1 too");
    assertFalse(sut.takenBefore(message("other", 7, QoS.EXACTLY_ONCE)));
  }

  @Test
  void messagesWithoutAnIdentityAreNotRemembered() {
    RecentDeliveries sut = new RecentDeliveries(List.of(), NOW + 1_000);
    Message inProcess = message("", 9, QoS.EXACTLY_ONCE);
    Message unnumbered = message("pub", 0, QoS.AT_LEAST_ONCE);

    for (int i = 0; i < 2; i++) {
      // an in-process publisher's or a Will: nothing tells two copies from two messages
      assertFalse(sut.takenBefore(inProcess));
      assertFalse(sut.takenBefore(unnumbered));
    }
  }

  @Test
  void theIdentitiesItCameWithCountAndTravelOn() {
    RecentDeliveries sut = new RecentDeliveries(List.of(new MessageOrigin("pub", 3)),
        NOW + 1_000);

    assertTrue(sut.takenBefore(message("pub", 3, QoS.EXACTLY_ONCE)));
    sut.takenBefore(message("pub", 4, QoS.EXACTLY_ONCE));
    assertEquals(List.of(new MessageOrigin("pub", 3), new MessageOrigin("pub", 4)),
        sut.identities());
  }

  @Test
  void itIsBoundedInSizeAndInTime() {
    RecentDeliveries sut = new RecentDeliveries(List.of(), NOW + 1_000);
    for (int i = 1; i <= RecentDeliveries.MAX_IDENTITIES + 1; i++) {
      sut.takenBefore(message("pub", i, QoS.EXACTLY_ONCE));
    }

    assertEquals(RecentDeliveries.MAX_IDENTITIES, sut.identities().size());
    assertEquals(new MessageOrigin("pub", 2), sut.identities().get(0), "the oldest went first");
    assertFalse(sut.isOver(NOW + 999));
    assertTrue(sut.isOver(NOW + 1_000));
  }

  private static Message message(String publisher, long sequence, QoS qos) {
    return new Message("t", new byte[] {1}, qos, false, Properties.EMPTY, 0, publisher,
        sequence);
  }
}
