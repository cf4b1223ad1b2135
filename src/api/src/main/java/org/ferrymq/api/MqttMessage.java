package org.ferrymq.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An MQTT application message: topic, payload, QoS, retain flag and the MQTT 5 properties an
 * application sets or reads (user properties, content type, response topic, correlation data,
 * message expiry interval). Immutable; the byte arrays are copied in and out. Build one with
 * {@link #builder(String)}.
 */
public final class MqttMessage {

  /** The largest message expiry interval MQTT 5 can carry (a four-byte integer), in seconds. */
  public static final long MAX_EXPIRY_INTERVAL = 0xFFFF_FFFFL;

  private final String topic;
  private final byte[] payload;
  private final int qos;
  private final boolean retained;
  private final List<UserProperty> userProperties;
  private final String contentType;
  private final String responseTopic;
  private final byte[] correlationData;
  private final long messageExpiryInterval;

  private MqttMessage(Builder b) {
    this.topic = b.topic;
    this.payload = b.payload.clone();
    this.qos = b.qos;
    this.retained = b.retained;
    this.userProperties = List.copyOf(b.userProperties);
    this.contentType = b.contentType;
    this.responseTopic = b.responseTopic;
    this.correlationData = b.correlationData == null ? null : b.correlationData.clone();
    this.messageExpiryInterval = b.messageExpiryInterval;
  }

  /**
   * @param topic the topic name (the broker refuses wildcards and invalid names on publish)
   * @return a builder for a QoS 0, not retained message with an empty payload
   */
  public static Builder builder(String topic) {
    return new Builder(topic);
  }

  /** @return a builder holding this message's values, to derive a changed copy */
  public Builder toBuilder() {
    Builder b = new Builder(topic).payload(payload).qos(qos).retained(retained)
        .userProperties(userProperties).contentType(contentType).responseTopic(responseTopic)
        .correlationData(correlationData);
    b.messageExpiryInterval = messageExpiryInterval;
    return b;
  }

  /** @return the topic name */
  public String topic() {
    return topic;
  }

  /** @return a copy of the payload */
  public byte[] payload() {
    return payload.clone();
  }

  /** @return 0, 1 or 2 */
  public int qos() {
    return qos;
  }

  /** @return whether the message is (or comes from) a topic's retained message */
  public boolean retained() {
    return retained;
  }

  /** @return the user properties in order; empty when there are none */
  public List<UserProperty> userProperties() {
    return userProperties;
  }

  /** @return the MQTT 5 content type, if set */
  public Optional<String> contentType() {
    return Optional.ofNullable(contentType);
  }

  /** @return the MQTT 5 response topic, if set */
  public Optional<String> responseTopic() {
    return Optional.ofNullable(responseTopic);
  }

  /** @return a copy of the MQTT 5 correlation data, if set */
  public Optional<byte[]> correlationData() {
    return Optional.ofNullable(correlationData).map(byte[]::clone);
  }

  /** @return the message expiry interval in seconds, if the message expires */
  public OptionalLong messageExpiryInterval() {
    return messageExpiryInterval < 0 ? OptionalLong.empty()
        : OptionalLong.of(messageExpiryInterval);
  }

  @Override
  public String toString() {
    return "MqttMessage[topic=" + topic + ", qos=" + qos + ", retained=" + retained
        + ", payload=" + payload.length + " bytes]";
  }

  /** Collects a message's values; {@link #build()} checks them. Not thread-safe. */
  public static final class Builder {
    private final String topic;
    private byte[] payload = new byte[0];
    private int qos;
    private boolean retained;
    private final List<UserProperty> userProperties = new ArrayList<>();
    private String contentType;
    private String responseTopic;
    private byte[] correlationData;
    private long messageExpiryInterval = -1;

    private Builder(String topic) {
      this.topic = Objects.requireNonNull(topic, "topic");
    }

    /** @param payload the payload bytes (copied on build) @return this builder */
    public Builder payload(byte[] payload) {
      this.payload = Objects.requireNonNull(payload, "payload");
      return this;
    }

    /** @param qos 0, 1 or 2 @return this builder */
    public Builder qos(int qos) {
      if (qos < 0 || qos > 2) {
        throw new IllegalArgumentException("qos must be 0, 1 or 2, not " + qos);
      }
      this.qos = qos;
      return this;
    }

    /** @param retained whether the broker keeps it as the topic's retained message @return this */
    public Builder retained(boolean retained) {
      this.retained = retained;
      return this;
    }

    /** Adds a user property after those already added. @return this builder */
    public Builder userProperty(String name, String value) {
      userProperties.add(new UserProperty(name, value));
      return this;
    }

    /** Adds user properties after those already added. @return this builder */
    public Builder userProperties(List<UserProperty> properties) {
      properties.forEach(p -> userProperties.add(Objects.requireNonNull(p, "user property")));
      return this;
    }

    /** @param contentType the MQTT 5 content type, or null for none @return this builder */
    public Builder contentType(String contentType) {
      this.contentType = contentType;
      return this;
    }

    /** @param responseTopic the MQTT 5 response topic, or null for none @return this builder */
    public Builder responseTopic(String responseTopic) {
      this.responseTopic = responseTopic;
      return this;
    }

    /** @param correlationData the correlation data (copied), or null for none @return this */
    public Builder correlationData(byte[] correlationData) {
      this.correlationData = correlationData;
      return this;
    }

    /**
     * @param seconds how long the broker keeps the message for subscribers that have not received
     *     it, 0 to {@link #MAX_EXPIRY_INTERVAL}
     * @return this builder
     */
    public Builder messageExpiryInterval(long seconds) {
      if (seconds < 0 || seconds > MAX_EXPIRY_INTERVAL) {
        throw new IllegalArgumentException(
            "messageExpiryInterval must be 0 to " + MAX_EXPIRY_INTERVAL + " s, not " + seconds);
      }
      this.messageExpiryInterval = seconds;
      return this;
    }

    /** @return the message */
    public MqttMessage build() {
      return new MqttMessage(this);
    }
  }
}
