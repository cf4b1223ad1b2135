package org.ferrymq.ra;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.Activation;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.ConfigProperty;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ResourceAdapter;
import org.ferrymq.api.MqttMessageListener;
import org.ferrymq.topic.TopicMatcher;
import org.ferrymq.topic.Topics;

/**
 * What a FerryMQ message-driven bean subscribes to: a topic filter (wildcards and {@code
 * $share/group/filter} allowed), the highest QoS it wants (at 1 or 2 a persistent session, with
 * {@code receiveMaximum} messages in flight to the bean), and what happens to a message whose
 * {@code onMessage} throws (redeliveries, their delay, the dead-letter topic).
 */
@Activation(messageListeners = MqttMessageListener.class)
public class MqttActivationSpec implements ActivationSpec {

  private static final int MAX_REDELIVERIES = 100;
  private static final long MAX_DELAY_MILLIS = 3_600_000;
  private static final int MAX_RECEIVE = 65_535;

  @ConfigProperty(description = "Topic filter, e.g. sensors/+/temperature", defaultValue = "#")
  private String topicFilter = "#";

  @ConfigProperty(description = "Highest QoS delivered to the bean: 0, 1 or 2",
      defaultValue = "1")
  private Integer qos = 1;

  @ConfigProperty(description = "Redeliveries of a message whose onMessage threw, 0 to 100",
      defaultValue = "5")
  private Integer maxRedeliveries = 5;

  @ConfigProperty(description = "Milliseconds before each redelivery, 0 to 3600000",
      defaultValue = "1000")
  private Long redeliveryDelay = 1000L;

  @ConfigProperty(description = "Topic for messages that failed every delivery; empty for "
      + "$dlq/ and the activation's name", defaultValue = "")
  private String deadLetterTopic = "";

  @ConfigProperty(description = "At QoS 1 or 2, messages handed to the adapter and not yet "
      + "processed by the bean (the session's Receive Maximum), 1 to 65535", defaultValue = "10")
  private Integer receiveMaximum = 10;

  private ResourceAdapter resourceAdapter;

  @Override
  public void validate() throws InvalidPropertyException {
    String problem = Topics.problemWithFilter(topicFilter);
    if (problem != null) {
      throw new InvalidPropertyException("topicFilter '" + topicFilter + "': " + problem);
    }
    if (qos == null || qos < 0 || qos > 2) {
      throw new InvalidPropertyException("qos must be 0, 1 or 2, not " + qos);
    }
    if (receiveMaximum == null || receiveMaximum < 1 || receiveMaximum > MAX_RECEIVE) {
      throw new InvalidPropertyException(
          "receiveMaximum must be 1 to " + MAX_RECEIVE + ", not " + receiveMaximum);
    }
    if (maxRedeliveries == null || maxRedeliveries < 0 || maxRedeliveries > MAX_REDELIVERIES) {
      throw new InvalidPropertyException(
          "maxRedeliveries must be 0 to " + MAX_REDELIVERIES + ", not " + maxRedeliveries);
    }
    if (redeliveryDelay == null || redeliveryDelay < 0 || redeliveryDelay > MAX_DELAY_MILLIS) {
      throw new InvalidPropertyException(
          "redeliveryDelay must be 0 to " + MAX_DELAY_MILLIS + " ms, not " + redeliveryDelay);
    }
    String topicProblem = deadLetterTopic == null || deadLetterTopic.isEmpty() ? null
        : Topics.problemWithName(deadLetterTopic);
    if (topicProblem == null && deadLetterTopic != null && !deadLetterTopic.isEmpty()) {
      topicProblem = loopProblem(deadLetterTopic);
    }
    if (topicProblem != null) {
      throw new InvalidPropertyException(
          "deadLetterTopic '" + deadLetterTopic + "': " + topicProblem);
    }
  }

  /**
   * @return the redelivery settings, with the default dead-letter topic of the activation
   * @throws InvalidPropertyException when the bean's filter matches that topic (a bean on
   *     {@code $dlq/#} needs a deadLetterTopic elsewhere)
   */
  RedeliveryPolicy redeliveryPolicy(String activationName) throws InvalidPropertyException {
    String topic = deadLetterTopic == null || deadLetterTopic.isEmpty()
        ? RedeliveryPolicy.defaultDeadLetterTopic(activationName) : deadLetterTopic;
    String problem = loopProblem(topic);
    if (problem != null) {
      throw new InvalidPropertyException("deadLetterTopic '" + topic + "': " + problem);
    }
    return new RedeliveryPolicy(maxRedeliveries, redeliveryDelay, topic);
  }

  /** @return why the dead-letter topic cannot be used with this filter, or null */
  private String loopProblem(String topic) {
    return TopicMatcher.matches(topicFilter, topic) ? "the bean's own topicFilter '"
        + topicFilter + "' matches it, so a failed message would come back to the bean forever"
        : null;
  }

  public String getTopicFilter() {
    return topicFilter;
  }

  public void setTopicFilter(String topicFilter) {
    this.topicFilter = topicFilter;
  }

  public Integer getQos() {
    return qos;
  }

  public void setQos(Integer qos) {
    this.qos = qos;
  }

  public Integer getReceiveMaximum() {
    return receiveMaximum;
  }

  public void setReceiveMaximum(Integer receiveMaximum) {
    this.receiveMaximum = receiveMaximum;
  }

  public Integer getMaxRedeliveries() {
    return maxRedeliveries;
  }

  public void setMaxRedeliveries(Integer maxRedeliveries) {
    this.maxRedeliveries = maxRedeliveries;
  }

  public Long getRedeliveryDelay() {
    return redeliveryDelay;
  }

  public void setRedeliveryDelay(Long redeliveryDelay) {
    this.redeliveryDelay = redeliveryDelay;
  }

  public String getDeadLetterTopic() {
    return deadLetterTopic;
  }

  public void setDeadLetterTopic(String deadLetterTopic) {
    this.deadLetterTopic = deadLetterTopic;
  }

  @Override
  public ResourceAdapter getResourceAdapter() {
    return resourceAdapter;
  }

  @Override
  public void setResourceAdapter(ResourceAdapter adapter) throws ResourceException {
    this.resourceAdapter = adapter;
  }
}
