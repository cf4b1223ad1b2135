package org.ferrymq.topic;

/**
 * Validation of topic names and topic filters (MQTT 5 section 4.7, 4.8.2; 3.1.1 section 4.7).
 *
 * <ul>
 *   <li>Both are at least one character long [MQTT-4.7.3-1] and contain no U+0000
 *       [MQTT-4.7.3-2].</li>
 *   <li>Names contain no wildcard characters [MQTT-4.7.0-1].</li>
 *   <li>In filters {@code #} stands alone as the last level [MQTT-4.7.1-1] and {@code +} fills a
 *       whole level [MQTT-4.7.1-2].</li>
 *   <li>A shared subscription is {@code $share/<ShareName>/<filter>}: the share name is at least one
 *       character and holds none of {@code / + #} [MQTT-4.8.2-1], [MQTT-4.8.2-2].</li>
 * </ul>
 */
public final class Topics {
  /** Prefix of shared subscription filters. */
  public static final String SHARE_PREFIX = "$share/";

  private Topics() {
  }

  /** @return whether {@code topic} is a valid topic name for PUBLISH */
  public static boolean isValidName(String topic) {
    return problemWithName(topic) == null;
  }

  /** @return whether {@code filter} is a valid topic filter (plain or shared) */
  public static boolean isValidFilter(String filter) {
    return problemWithFilter(filter) == null;
  }

  /** @throws IllegalArgumentException naming the broken rule */
  public static String requireValidName(String topic) {
    String problem = problemWithName(topic);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return topic;
  }

  /** @throws IllegalArgumentException naming the broken rule */
  public static String requireValidFilter(String filter) {
    String problem = problemWithFilter(filter);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return filter;
  }

  /** @return why the name is invalid, or {@code null} when it is valid */
  public static String problemWithName(String topic) {
    if (topic == null || topic.isEmpty()) {
      return "[MQTT-4.7.3-1] topic name must not be empty";
    }
    for (int i = 0; i < topic.length(); i++) {
      char c = topic.charAt(i);
      if (c == '+' || c == '#') {
        return "[MQTT-4.7.0-1] topic name must not contain wildcards: " + topic;
      }
      if (c == 0) {
        return "[MQTT-4.7.3-2] topic name must not contain U+0000";
      }
    }
    return null;
  }

  /** @return why the filter is invalid, or {@code null} when it is valid */
  public static String problemWithFilter(String filter) {
    if (filter == null || filter.isEmpty()) {
      return "[MQTT-4.7.3-1] topic filter must not be empty";
    }
    String plain = filter;
    if (filter.startsWith(SHARE_PREFIX)) {
      int slash = filter.indexOf('/', SHARE_PREFIX.length());
      String shareName = slash < 0 ? filter.substring(SHARE_PREFIX.length())
          : filter.substring(SHARE_PREFIX.length(), slash);
      if (shareName.isEmpty() || shareName.indexOf('+') >= 0 || shareName.indexOf('#') >= 0) {
        return "[MQTT-4.8.2-2] invalid share name in " + filter;
      }
      if (slash < 0 || slash == filter.length() - 1) {
        return "[MQTT-4.8.2-1] shared subscription needs a topic filter after the share name: "
            + filter;
      }
      plain = filter.substring(slash + 1);
    }
    int levelStart = 0;
    for (int i = 0; i <= plain.length(); i++) {
      if (i == plain.length() || plain.charAt(i) == '/') {
        String problem = problemWithLevel(plain, levelStart, i);
        if (problem != null) {
          return problem;
        }
        levelStart = i + 1;
      } else if (plain.charAt(i) == 0) {
        return "[MQTT-4.7.3-2] topic filter must not contain U+0000";
      }
    }
    return null;
  }

  private static String problemWithLevel(String filter, int start, int end) {
    for (int i = start; i < end; i++) {
      char c = filter.charAt(i);
      if (c == '#' && (end - start != 1 || end != filter.length())) {
        return "[MQTT-4.7.1-1] '#' must be alone in the last level: " + filter;
      }
      if (c == '+' && end - start != 1) {
        return "[MQTT-4.7.1-2] '+' must occupy a whole level: " + filter;
      }
    }
    return null;
  }

  /** @return whether the filter is a shared subscription ({@code $share/...}) */
  public static boolean isShared(String filter) {
    return filter.startsWith(SHARE_PREFIX);
  }

  /** @return whether the filter contains {@code +} or {@code #} */
  public static boolean hasWildcard(String filter) {
    return filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
  }
}
