package org.ferrymq.message;

import java.util.Objects;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.QoS;
import org.ferrymq.topic.Topics;

/**
 * An application message as the broker routes it, separate from any PUBLISH packet that carries
 * it: resends, QoS downgrades and topic aliases never change it. The payload is shared by every
 * delivery and never mutated.
 *
 * @param topic the topic name
 * @param payload the payload bytes
 * @param qos the QoS the publisher sent it with
 * @param retain the publisher's RETAIN flag
 * @param properties MQTT 5 properties passed through to subscribers (no Topic Alias, no
 *     Subscription Identifier, no Message Expiry Interval: expiry is kept as a deadline)
 * @param expiresAtMillis wall-clock expiry deadline in epoch milliseconds, 0 for never
 * @param originClientId the publishing client, for No Local; empty for in-process publishes
 * @param originSequence for a QoS 2 message from a client, its number in that client's inbound
 *     stream; in a cluster every message from a client has one (with the client id its identity
 *     cluster-wide, which a session that moves between nodes takes once); 0 otherwise. Stored
 *     with every delivery, it tells recovery which sessions a message whose routing a crash
 *     interrupted had already reached
 * @param arrivedAtNanos {@link System#nanoTime()} when its PUBLISH arrived, for the delivery
 *     latency histogram; 0 when unknown or meaningless (recovered from the store, retained for
 *     later subscribers). Not stored, and not part of equality: it says when, not what
 */
public record Message(String topic, byte[] payload, QoS qos, boolean retain, Properties properties,
    long expiresAtMillis, String originClientId, long originSequence, long arrivedAtNanos) {

  public Message {
    Topics.requireValidName(topic);
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(qos, "qos");
    properties = properties == null ? Properties.EMPTY : properties;
    originClientId = originClientId == null ? "" : originClientId;
  }

  /** A message whose arrival time is not known. */
  public Message(String topic, byte[] payload, QoS qos, boolean retain, Properties properties,
      long expiresAtMillis, String originClientId, long originSequence) {
    this(topic, payload, qos, retain, properties, expiresAtMillis, originClientId,
        originSequence, 0);
  }

  /** A message that is not part of a client's inbound QoS 2 stream. */
  public Message(String topic, byte[] payload, QoS qos, boolean retain, Properties properties,
      long expiresAtMillis, String originClientId) {
    this(topic, payload, qos, retain, properties, expiresAtMillis, originClientId, 0);
  }

  /** A message without properties or expiry, as published by an in-process application. */
  public static Message of(String topic, byte[] payload, QoS qos, boolean retain) {
    return new Message(topic, payload, qos, retain, Properties.EMPTY, 0, "");
  }

  /** @return whether the message has expired at the given time */
  public boolean isExpired(long nowMillis) {
    return expiresAtMillis != 0 && nowMillis >= expiresAtMillis;
  }

  /** @return the remaining expiry interval in whole seconds, rounded up; -1 for no expiry */
  public long remainingExpirySeconds(long nowMillis) {
    if (expiresAtMillis == 0) {
      return -1;
    }
    return Math.max(0, (expiresAtMillis - nowMillis + 999) / 1000);
  }

  /**
   * @return the bytes this message makes the broker hold: payload, topic and properties (user
   *     properties included), what queue and retained-message bounds count
   */
  public long sizeInBytes() {
    return (long) payload.length + topic.length() + properties.sizeInBytes();
  }

  public Message withRetain(boolean newRetain) {
    return newRetain == retain ? this
        : new Message(topic, payload, qos, newRetain, properties, expiresAtMillis, originClientId,
            originSequence, arrivedAtNanos);
  }

  /** @return this message with {@code sequence} as its number from its publisher */
  public Message withOriginSequence(long sequence) {
    return new Message(topic, payload, qos, retain, properties, expiresAtMillis, originClientId,
        sequence, arrivedAtNanos);
  }

  /** @return this message as arrived at {@code nanos} ({@link System#nanoTime()}) */
  public Message arrivedAt(long nanos) {
    return new Message(topic, payload, qos, retain, properties, expiresAtMillis, originClientId,
        originSequence, nanos);
  }

  /** @return this message without its arrival time, as kept for later subscribers */
  public Message withoutArrival() {
    return arrivedAtNanos == 0 ? this : arrivedAt(0);
  }

  /** Equal when every component but the arrival time is. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Message m && retain == m.retain && expiresAtMillis == m.expiresAtMillis
        && originSequence == m.originSequence && topic.equals(m.topic) && payload == m.payload
        && qos == m.qos && properties.equals(m.properties)
        && originClientId.equals(m.originClientId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, System.identityHashCode(payload), qos, retain, properties,
        expiresAtMillis, originClientId, originSequence);
  }
}
