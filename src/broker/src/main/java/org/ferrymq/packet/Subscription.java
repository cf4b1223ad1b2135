package org.ferrymq.packet;

import java.util.Objects;
import org.ferrymq.topic.Topics;

/**
 * One topic filter of a SUBSCRIBE with its options. For MQTT 3 the MQTT 5 options hold their
 * defaults (no-local false, retain-as-published false, send retained on subscribe).
 * {@code filter} may be a shared subscription {@code $share/group/filter}.
 */
public record Subscription(String filter, QoS maxQos, boolean noLocal, boolean retainAsPublished,
    RetainHandling retainHandling) {

  public Subscription {
    Topics.requireValidFilter(filter);
    Objects.requireNonNull(maxQos, "maxQos");
    Objects.requireNonNull(retainHandling, "retainHandling");
  }

  public Subscription(String filter, QoS maxQos) {
    this(filter, maxQos, false, false, RetainHandling.SEND_ON_SUBSCRIBE);
  }
}
