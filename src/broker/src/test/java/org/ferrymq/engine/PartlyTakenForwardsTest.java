package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Set;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.QoS;
import org.junit.jupiter.api.Test;

/**
 * A forwarded message whose routing broke off here is remembered with the sessions that took
 * it, by its identity, until its resend comes; bounded by the receivers remembered.
 */
class PartlyTakenForwardsTest {
  private final PartlyTakenForwards sut = new PartlyTakenForwards();

  @Test
  void theResendOfAMessageThatBrokeOffLeavesOutWhoTookItOnce() {
    sut.brokeOff(message("pub", 7), took("a", "b"));

    // Exercise
    AlreadyRouted resent = sut.resent(message("pub", 7));
    AlreadyRouted again = sut.resent(message("pub", 7));

    // Verify [MQTT-4.3.3-2]: the resend leaves out a and b; a later copy is routed in full
    assertEquals(Set.of("a", "b"), resent.clients());
    assertNull(again, "forgotten once resent");
    assertNull(sut.resent(message("pub", 8)), "another message of the publisher");
    assertNull(sut.resent(message("other", 7)), "another publisher's message");
  }

  @Test
  void aMessageWithoutAnIdentityIsNotRemembered() {
    Message inProcess = message("", 9);

    sut.brokeOff(inProcess, took("a"));

    assertNull(sut.resent(inProcess), "nothing tells its resend from a new message");
  }

  @Test
  void itIsBoundedByTheReceiversRemembered() {
    for (int i = 1; i <= PartlyTakenForwards.MAX_RECEIVERS + 1; i++) {
      sut.brokeOff(message("pub", i), took("a"));
    }

    assertNull(sut.resent(message("pub", 1)), "the oldest went first");
    assertEquals(Set.of("a"), sut.resent(message("pub", 2)).clients());
    assertEquals(Set.of("a"), sut.resent(message("pub", PartlyTakenForwards.MAX_RECEIVERS + 1))
        .clients());
  }

  private static AlreadyRouted took(String... clients) {
    AlreadyRouted took = AlreadyRouted.collecting();
    for (String c : clients) {
      took.add(c, null);
    }
    return took;
  }

  private static Message message(String publisher, long sequence) {
    return new Message("t", new byte[] {1}, QoS.EXACTLY_ONCE, false, Properties.EMPTY, 0,
        publisher, sequence);
  }
}
