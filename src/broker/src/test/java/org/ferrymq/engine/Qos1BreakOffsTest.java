package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.QoS;
import org.junit.jupiter.api.Test;

/**
 * An MQTT 3 client's QoS 1 message whose routing broke off is known again by its resend: the
 * same packet identifier with DUP and the same content [MQTT-4.4.0-1]; anything else is new.
 */
class Qos1BreakOffsTest {
  private final Qos1BreakOffs sut = new Qos1BreakOffs();

  @Test
  void theResendKeepsTheNumberAndWhoTookIt() {
    AlreadyRouted took = AlreadyRouted.collecting();
    took.add("a", null);
    sut.brokeOff(5, message("x", 42), took);

    // Exercise
    Qos1BreakOffs.BrokenOff resend = sut.resent(5, true, message("x", 99));

    // Verify
    assertEquals(42, resend.sequence(), "the first attempt's number, its identity on peers");
    assertEquals(took, resend.took());
    assertNull(sut.resent(5, true, message("x", 100)), "forgotten once resent");
  }

  @Test
  void withoutDupOrWithOtherContentItIsANewMessage() {
    sut.brokeOff(5, message("x", 42), AlreadyRouted.collecting());
    sut.brokeOff(6, message("x", 43), AlreadyRouted.collecting());

    assertNull(sut.resent(5, false, message("x", 99)), "DUP 0: a first attempt [MQTT-3.3.1-1]");
    assertNull(sut.resent(5, true, message("x", 99)), "the identifier's entry went");
    assertNull(sut.resent(6, true, message("y", 99)), "another message reusing the identifier");
  }

  private static Message message(String payload, long sequence) {
    return new Message("t", payload.getBytes(), QoS.AT_LEAST_ONCE, false, Properties.EMPTY, 0,
        "pub", sequence);
  }
}
