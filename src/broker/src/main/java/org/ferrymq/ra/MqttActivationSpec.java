package org.ferrymq.ra;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.Activation;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.ConfigProperty;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ResourceAdapter;
import org.ferrymq.api.MqttMessageListener;
import org.ferrymq.topic.Topics;

/**
 * What a FerryMQ message-driven bean subscribes to: a topic filter (wildcards and {@code
 * $share/group/filter} allowed) and the highest QoS it wants.
 */
@Activation(messageListeners = MqttMessageListener.class)
public class MqttActivationSpec implements ActivationSpec {

  @ConfigProperty(description = "Topic filter, e.g. sensors/+/temperature", defaultValue = "#")
  private String topicFilter = "#";

  @ConfigProperty(description = "Highest QoS delivered to the bean: 0, 1 or 2",
      defaultValue = "1")
  private Integer qos = 1;

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

  @Override
  public ResourceAdapter getResourceAdapter() {
    return resourceAdapter;
  }

  @Override
  public void setResourceAdapter(ResourceAdapter adapter) throws ResourceException {
    this.resourceAdapter = adapter;
  }
}
