package org.ferrymq.engine;

import java.util.Arrays;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.StoredDelivery;

/**
 * Tells whether a session already holds a QoS 2 message that reaches it a second time by
 * another way across a cluster (a batch on its way to a node that died, sent again to the node
 * that took that node's sessions over), so that it is not delivered twice [MQTT-4.3.3-1].
 *
 * <p>A QoS 2 message from a client is known cluster-wide by its publisher's client id and its
 * number from that publisher ({@link Message#originSequence()}, kept as it crosses nodes;
 * {@link MessageOrigin}), and by its topic and payload besides, for safety's sake. A message
 * without a number (QoS 0 or 1, or published in-process) has no identity here and is
 * never taken for a duplicate. Stateless.
 */
final class Qos2Duplicates {
  private Qos2Duplicates() {
  }

  /** @return whether one of {@code deliveries} carries the same QoS 2 message as {@code m} */
  static boolean heldIn(Iterable<StoredDelivery> deliveries, Message m) {
    if (m.qos() != QoS.EXACTLY_ONCE || m.originSequence() == 0) {
      return false;
    }
    for (StoredDelivery d : deliveries) {
      if (same(d.message(), m)) {
        return true;
      }
    }
    return false;
  }

  /** @return whether both are the one QoS 2 message of one publisher */
  static boolean same(Message a, Message b) {
    return a.originSequence() != 0
        && a.originSequence() == b.originSequence()
        && a.originClientId().equals(b.originClientId()) && a.topic().equals(b.topic())
        && Arrays.equals(a.payload(), b.payload());
  }
}
