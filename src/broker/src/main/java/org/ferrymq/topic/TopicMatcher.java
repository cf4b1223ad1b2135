package org.ferrymq.topic;

/**
 * The reference matcher for one filter against one topic name, implementing exactly the rules in
 * the header comment of {@code SubscriptionTree.java}. It walks both strings by index: no regex,
 * no splitting, no allocation. Stateless and thread-safe.
 */
public final class TopicMatcher {

  private TopicMatcher() {
  }

  /**
   * Tells whether a topic filter matches a topic name. A shared filter
   * ({@code $share/<name>/<filter>}) matches like its inner filter.
   *
   * @param filter a valid topic filter
   * @param topic a valid topic name
   * @return whether the filter matches the topic
   * @throws IllegalArgumentException if the filter or the topic is invalid
   */
  public static boolean matches(String filter, String topic) {
    Topics.requireValidFilter(filter);
    Topics.requireValidName(topic);
    int f = 0;
    if (Topics.isShared(filter)) {
      f = filter.indexOf('/', Topics.SHARE_PREFIX.length()) + 1;
    }
    if (isDollarTopic(topic) && isWildcardLevel(filter, f)) {
      return false;
    }
    int t = 0;
    int filterLength = filter.length();
    int topicLength = topic.length();
    while (true) {
      int fEnd = levelEnd(filter, f);
      if (fEnd - f == 1 && filter.charAt(f) == '#') {
        return true;
      }
      if (t > topicLength) {
        return false;
      }
      int tEnd = levelEnd(topic, t);
      boolean plus = fEnd - f == 1 && filter.charAt(f) == '+';
      if (!plus && (fEnd - f != tEnd - t || !filter.regionMatches(f, topic, t, fEnd - f))) {
        return false;
      }
      f = fEnd + 1;
      t = tEnd + 1;
      if (f > filterLength) {
        return t > topicLength;
      }
    }
  }

  /** @return whether the topic is a $-topic, which first-level wildcards do not match */
  static boolean isDollarTopic(String topic) {
    return !topic.isEmpty() && topic.charAt(0) == '$';
  }

  /** @return the index of the '/' ending the level that starts at {@code start}, or the length */
  static int levelEnd(String s, int start) {
    int slash = s.indexOf('/', start);
    return slash < 0 ? s.length() : slash;
  }

  private static boolean isWildcardLevel(String filter, int start) {
    char c = filter.charAt(start);
    return c == '+' || c == '#';
  }
}
