package org.ferrymq.engine;

/**
 * A QoS 2 message's identity across the cluster: its publisher's client id and its number in
 * that publisher's stream of QoS 2 messages ({@code Message.originSequence}). Every node that
 * routes the message sees the same identity, so a session that may be handed one message by two
 * nodes while it moves between them takes it once ({@link RecentQos2Deliveries}).
 *
 * @param clientId the publishing client
 * @param sequence the message's number in that client's QoS 2 stream, never 0
 */
public record Qos2Origin(String clientId, long sequence) {
}
