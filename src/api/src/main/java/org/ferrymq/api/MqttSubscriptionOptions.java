package org.ferrymq.api;

import java.util.Objects;
import java.util.Optional;

/**
 * What an in-process subscription ({@link MqttConnection#subscribe}) asks for: a topic filter,
 * the highest QoS, and at QoS 1 or 2 the name of the broker session that keeps its messages,
 * how many may await acknowledgement, and what a rejected message gets (redeliveries, their
 * delay, the dead-letter topic). The defaults are those of a message-driven bean's activation.
 * Immutable; build one with {@link #builder(String)}.
 */
public final class MqttSubscriptionOptions {

  private final String topicFilter;
  private final int qos;
  private final String sessionName;
  private final int receiveMaximum;
  private final int maxRedeliveries;
  private final long redeliveryDelayMillis;
  private final String deadLetterTopic;

  private MqttSubscriptionOptions(Builder b) {
    this.topicFilter = b.topicFilter;
    this.qos = b.qos;
    this.sessionName = b.sessionName;
    this.receiveMaximum = b.receiveMaximum;
    this.maxRedeliveries = b.maxRedeliveries;
    this.redeliveryDelayMillis = b.redeliveryDelayMillis;
    this.deadLetterTopic = b.deadLetterTopic;
  }

  /**
   * @param topicFilter a topic filter, possibly {@code $share/group/filter} (the broker checks it
   *     on subscribe)
   * @return a builder for QoS 1 with no session name yet
   */
  public static Builder builder(String topicFilter) {
    return new Builder(topicFilter);
  }

  /** @return the topic filter */
  public String topicFilter() {
    return topicFilter;
  }

  /** @return the highest QoS delivered, 0 to 2 */
  public int qos() {
    return qos;
  }

  /** @return the name of the broker session (QoS 1 and 2) */
  public Optional<String> sessionName() {
    return Optional.ofNullable(sessionName);
  }

  /** @return how many QoS 1/2 deliveries may await acknowledgement */
  public int receiveMaximum() {
    return receiveMaximum;
  }

  /** @return how often a rejected message is delivered again */
  public int maxRedeliveries() {
    return maxRedeliveries;
  }

  /** @return milliseconds before each redelivery */
  public long redeliveryDelayMillis() {
    return redeliveryDelayMillis;
  }

  /**
   * @return where a message goes once every delivery was rejected; empty for {@code
   *     $dlq/<session name>}
   */
  public Optional<String> deadLetterTopic() {
    return Optional.ofNullable(deadLetterTopic);
  }

  /** Collects the options; every setter checks its range and throws IllegalArgumentException. */
  public static final class Builder {
    private final String topicFilter;
    private int qos = 1;
    private String sessionName;
    private int receiveMaximum = 10;
    private int maxRedeliveries = 5;
    private long redeliveryDelayMillis = 1000;
    private String deadLetterTopic;

    private Builder(String topicFilter) {
      this.topicFilter = Objects.requireNonNull(topicFilter, "topicFilter");
    }

    /** @param value 0, 1 or 2 */
    public Builder qos(int value) {
      this.qos = inRange("qos", value, 0, 2);
      return this;
    }

    /**
     * @param value the broker session's name, stable across restarts (e.g. the application's
     *     and the channel's); required at QoS 1 and 2
     */
    public Builder sessionName(String value) {
      if (value == null || value.isEmpty()) {
        throw new IllegalArgumentException("sessionName must not be empty");
      }
      this.sessionName = value;
      return this;
    }

    /** @param value 1 to 65535 (default 10) */
    public Builder receiveMaximum(int value) {
      this.receiveMaximum = inRange("receiveMaximum", value, 1, 65_535);
      return this;
    }

    /** @param value 0 to 100 (default 5) */
    public Builder maxRedeliveries(int value) {
      this.maxRedeliveries = inRange("maxRedeliveries", value, 0, 100);
      return this;
    }

    /** @param value 0 to 3600000 milliseconds (default 1000) */
    public Builder redeliveryDelayMillis(long value) {
      if (value < 0 || value > 3_600_000) {
        throw new IllegalArgumentException(
            "redeliveryDelayMillis must be 0 to 3600000, not " + value);
      }
      this.redeliveryDelayMillis = value;
      return this;
    }

    /** @param value a topic name; null or empty for {@code $dlq/<session name>} */
    public Builder deadLetterTopic(String value) {
      this.deadLetterTopic = value == null || value.isEmpty() ? null : value;
      return this;
    }

    /**
     * @return the options
     * @throws IllegalArgumentException at QoS 1 or 2 without a session name
     */
    public MqttSubscriptionOptions build() {
      if (qos > 0 && sessionName == null) {
        throw new IllegalArgumentException("QoS " + qos + " needs a sessionName: the session "
            + "keeps what is not acknowledged yet");
      }
      return new MqttSubscriptionOptions(this);
    }

    private static int inRange(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(name + " must be " + min + " to " + max + ", not "
            + value);
      }
      return value;
    }
  }
}
