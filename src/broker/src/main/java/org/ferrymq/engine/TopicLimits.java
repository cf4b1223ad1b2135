package org.ferrymq.engine;

import org.ferrymq.config.BrokerConfig;
import org.ferrymq.config.Setting;

/**
 * The configured bounds on a topic name ({@code mqtt.max-topic-length}, {@code
 * mqtt.max-topic-levels}), the same for a PUBLISH and for a Will: a Will is a PUBLISH the
 * server makes on the client's behalf, so it must not reach topics a PUBLISH could not.
 */
final class TopicLimits {
  private TopicLimits() {
  }

  /** @return which limit the topic name exceeds, for the log and reason string, or null */
  static String exceeded(String topic, BrokerConfig config) {
    if (topic.length() > config.maxTopicLength()) {
      return "longer than " + Setting.MAX_TOPIC_LENGTH.key() + " (" + config.maxTopicLength()
          + ")";
    }
    int levels = 1;
    for (int i = 0; i < topic.length(); i++) {
      if (topic.charAt(i) == '/' && ++levels > config.maxTopicLevels()) {
        return "more levels than " + Setting.MAX_TOPIC_LEVELS.key() + " ("
            + config.maxTopicLevels() + ")";
      }
    }
    return null;
  }
}
