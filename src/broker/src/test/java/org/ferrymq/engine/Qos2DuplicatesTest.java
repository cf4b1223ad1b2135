package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.DeliveryState;
import org.ferrymq.persistence.StoredDelivery;
import org.junit.jupiter.api.Test;

/**
 * A QoS 2 message that reaches a session a second time across the cluster is recognised by its
 * publisher, its number in the publisher's inbound QoS 2 stream (whatever its sign) and its
 * content, so it is not delivered twice [MQTT-4.3.3-1]; nothing else is taken for it.
 */
class Qos2DuplicatesTest {

  private static Message qos2(String publisher, long sequence, String payload) {
    return new Message("t/1", payload.getBytes(StandardCharsets.UTF_8), QoS.EXACTLY_ONCE, false,
        Properties.EMPTY, 0, publisher, sequence);
  }

  private static List<StoredDelivery> held(Message m) {
    return List.of(new StoredDelivery(1, m, m.qos(), false, List.of(), null, 0,
        DeliveryState.QUEUED));
  }

  @Test
  void theSameMessageForwardedOnceMoreIsHeld() {
    // the number its publisher's node gave it travels with it
    List<StoredDelivery> sut = held(qos2("pub", 7, "m7"));

    assertTrue(Qos2Duplicates.heldIn(sut, qos2("pub", 7, "m7")));
  }

  @Test
  void anotherMessageIsNotHeld() {
    List<StoredDelivery> sut = held(qos2("pub", 7, "m7"));

    assertFalse(Qos2Duplicates.heldIn(sut, qos2("pub", 8, "m7")), "another number");
    assertFalse(Qos2Duplicates.heldIn(sut, qos2("other", 7, "m7")), "another publisher");
    assertFalse(Qos2Duplicates.heldIn(sut, qos2("pub", 7, "new")), "other content");
    assertFalse(Qos2Duplicates.heldIn(sut, new Message("t/1",
        "m7".getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, false, Properties.EMPTY, 0,
        "pub", 7)), "QoS 1 may arrive twice");
    assertFalse(Qos2Duplicates.heldIn(held(qos2("", 0, "x")), qos2("", 0, "x")),
        "an in-process publish has no number");
  }
}
