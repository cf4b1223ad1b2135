package org.ferrymq.packet;

/** MQTT 5 subscription option 3.8.3.1: when retained messages are sent on subscribe. */
public enum RetainHandling {
  SEND_ON_SUBSCRIBE, SEND_IF_NEW_SUBSCRIPTION, DO_NOT_SEND;

  public int value() {
    return ordinal();
  }

  /** @throws IllegalArgumentException for the reserved value 3 */
  public static RetainHandling of(int value) {
    if (value < 0 || value > 2) {
      throw new IllegalArgumentException("Retain Handling must be 0, 1 or 2, was " + value);
    }
    return values()[value];
  }
}
