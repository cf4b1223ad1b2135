package org.ferrymq.persistence;

/** Where an outbound delivery stands. */
public enum DeliveryState {
  /** Waiting to be sent. */
  QUEUED,
  /** QoS 1 PUBLISH sent, waiting for PUBACK; QoS 2 PUBLISH sent, waiting for PUBREC. */
  AWAITING_ACK,
  /** QoS 2 PUBREL sent, waiting for PUBCOMP. */
  AWAITING_PUBCOMP
}
