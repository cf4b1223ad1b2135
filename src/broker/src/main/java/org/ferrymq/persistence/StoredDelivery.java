package org.ferrymq.persistence;

import java.util.List;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;

/**
 * A message on its way to one session: queued, or sent and not yet acknowledged.
 *
 * @param sequence position in the session's queue, increasing
 * @param message the message
 * @param qos the QoS it is delivered with (after downgrade)
 * @param retain the RETAIN flag it is delivered with
 * @param subscriptionIdentifiers identifiers of the matching subscriptions (MQTT 5)
 * @param sharedFilter the shared subscription it came through, {@code null} otherwise
 * @param packetId packet identifier once sent, 0 while queued
 * @param state where the QoS flow stands
 */
public record StoredDelivery(long sequence, Message message, QoS qos, boolean retain,
    List<Integer> subscriptionIdentifiers, String sharedFilter, int packetId,
    DeliveryState state) {

  public StoredDelivery {
    subscriptionIdentifiers = List.copyOf(subscriptionIdentifiers);
  }

  public StoredDelivery withState(int newPacketId, DeliveryState newState) {
    return new StoredDelivery(sequence, message, qos, retain, subscriptionIdentifiers,
        sharedFilter, newPacketId, newState);
  }
}
