package org.ferrymq.packet;

/** Quality of service levels. */
public enum QoS {
  AT_MOST_ONCE, AT_LEAST_ONCE, EXACTLY_ONCE;

  private static final QoS[] VALUES = values();

  public int value() {
    return ordinal();
  }

  /** @throws IllegalArgumentException for values other than 0, 1 and 2 */
  public static QoS of(int value) {
    if (value < 0 || value > 2) {
      throw new IllegalArgumentException("QoS must be 0, 1 or 2, was " + value);
    }
    return VALUES[value];
  }

  public static QoS min(QoS a, QoS b) {
    return a.ordinal() <= b.ordinal() ? a : b;
  }

  public static QoS max(QoS a, QoS b) {
    return a.ordinal() >= b.ordinal() ? a : b;
  }
}
