package org.ferrymq.ra;

/**
 * What happens when a message-driven bean's {@code onMessage} throws: the message is offered
 * again up to {@code maxRedeliveries} times, {@code delayMillis} apart, and then published to
 * {@code deadLetterTopic}.
 *
 * @param maxRedeliveries deliveries after the first, 0 for none
 * @param delayMillis the wait before each redelivery
 * @param deadLetterTopic a topic name (no wildcards) for messages that failed every delivery
 */
record RedeliveryPolicy(int maxRedeliveries, long delayMillis, String deadLetterTopic) {

  /**
   * The prefix of the default dead-letter topic; the activation's name follows it. A topic that
   * begins with {@code $} is matched by no filter that begins with a wildcard [MQTT-4.7.2-1], so
   * a bean on {@code #} never receives dead letters, its own included, and network clients may
   * not publish there (the broker refuses their PUBLISH to any {@code $} topic): only the adapter
   * writes dead letters.
   */
  static final String DEAD_LETTER_PREFIX = "$dlq/";

  /**
   * @param activationName the container's name of the activation, e.g. {@code
   *     app#module.war#Bean}
   * @return the default dead-letter topic of that activation: {@code $dlq/app/module.war/Bean}
   *     (wildcard characters become level separators)
   */
  static String defaultDeadLetterTopic(String activationName) {
    return DEAD_LETTER_PREFIX + activationName.replace('#', '/').replace('+', '/');
  }
}
