package org.ferrymq.ra;

import java.util.concurrent.atomic.AtomicBoolean;
import org.ferrymq.api.MqttDeliveryListener;
import org.ferrymq.api.MqttSubscription;
import org.ferrymq.api.MqttSubscriptionOptions;
import org.ferrymq.engine.LocalSubscription;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;
import org.ferrymq.topic.TopicMatcher;
import org.ferrymq.topic.Topics;

/**
 * In-process subscriptions of the application API ({@link
 * org.ferrymq.api.MqttConnection#subscribe}): at QoS 1/2 a durable session of the broker
 * ({@link MqttBroker#attachSession}) whose deliveries the application acknowledges or rejects
 * ({@link ApiDelivery}), at QoS 0 a plain in-process subscriber. Stateless.
 */
final class ApiSubscriptions {

  private ApiSubscriptions() {
  }

  /** @see org.ferrymq.api.MqttConnection#subscribe */
  static MqttSubscription subscribe(MqttBroker broker, MqttSubscriptionOptions options,
      MqttDeliveryListener listener) {
    String filter = options.topicFilter();
    String problem = Topics.problemWithFilter(filter);
    if (problem != null) {
      throw new IllegalArgumentException("topicFilter '" + filter + "': " + problem);
    }
    AtomicBoolean closed = new AtomicBoolean();
    LocalSubscription subscription;
    if (options.qos() == 0) {
      subscription = broker.subscribe(filter, QoS.AT_MOST_ONCE, m -> listener.onDelivery(
          ApiDelivery.atMostOnce(toApi(m, QoS.AT_MOST_ONCE))));
    } else {
      String session = options.sessionName().orElseThrow();
      RedeliveryPolicy policy = policy(options, session);
      subscription = broker.attachSession(session, filter, QoS.of(options.qos()),
          options.receiveMaximum(), d -> listener.onDelivery(new ApiDelivery(
              new ApiDelivery.Source(broker, listener, policy, session, closed::get),
              d.message(), d.qos(), d.redelivered(), d::acknowledge, 1)));
    }
    return new MqttSubscription() {
      @Override
      public String topicFilter() {
        return filter;
      }

      @Override
      public void close() {
        if (closed.compareAndSet(false, true)) {
          subscription.close();
        }
      }
    };
  }

  /** The redelivery policy of the options; the dead-letter topic must not loop back. */
  private static RedeliveryPolicy policy(MqttSubscriptionOptions options, String session) {
    String topic = options.deadLetterTopic()
        .orElse(RedeliveryPolicy.defaultDeadLetterTopic(session));
    String problem = Topics.problemWithName(topic);
    if (problem == null && TopicMatcher.matches(options.topicFilter(), topic)) {
      problem = "the subscription's own topicFilter '" + options.topicFilter()
          + "' matches it, so a rejected message would come back forever";
    }
    if (problem != null) {
      throw new IllegalArgumentException("deadLetterTopic '" + topic + "': " + problem);
    }
    return new RedeliveryPolicy(options.maxRedeliveries(), options.redeliveryDelayMillis(),
        topic);
  }

  /** @return the application's view of a delivery at that QoS, its expiry counted from now */
  static org.ferrymq.api.MqttMessage toApi(Message m, QoS qos) {
    return ApiMessages.toApi(m, qos, System.currentTimeMillis());
  }
}
