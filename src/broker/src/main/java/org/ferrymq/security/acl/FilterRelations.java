package org.ferrymq.security.acl;

import org.ferrymq.topic.Topics;

/**
 * Relations between two valid topic filters that the ACL needs and the subscription matcher
 * does not: whether one filter covers every topic of another, and whether two filters share any
 * topic. Both follow the matching rules of {@code SubscriptionTree}: {@code +} is one level,
 * {@code #} the parent level and every level below, and a wildcard in the first level never
 * matches a topic beginning with {@code $}.
 *
 * <pre>
 * covers("sensors/#", "sensors/+/temp")   true
 * covers("sensors/+", "sensors/#")        false  (# also matches sensors/a/b)
 * covers("#", "$SYS/#")                   false
 * intersects("a/+/c", "a/b/#")            true   (a/b/c)
 * intersects("a/b", "a/c/#")              false
 * </pre>
 *
 * Stateless and thread-safe.
 */
public final class FilterRelations {

  private FilterRelations() {
  }

  /**
   * @param outer a valid filter
   * @param inner a valid filter, without a {@code $share/group/} prefix
   * @return whether every topic name {@code inner} matches is matched by {@code outer}
   */
  public static boolean covers(String outer, String inner) {
    String[] o = levels(outer);
    String[] i = levels(inner);
    if (dollarMismatch(o, i)) {
      return false;
    }
    for (int n = 0; ; n++) {
      if (n == o.length) {
        return n == i.length;
      }
      if (o[n].equals("#")) {
        return true;
      }
      if (n == i.length || i[n].equals("#")) {
        return false;
      }
      if (o[n].equals("+")) {
        continue;
      }
      if (i[n].equals("+") || !o[n].equals(i[n])) {
        return false;
      }
    }
  }

  /**
   * @param a a valid filter
   * @param b a valid filter, without a {@code $share/group/} prefix
   * @return whether some topic name is matched by both
   */
  public static boolean intersects(String a, String b) {
    String[] x = levels(a);
    String[] y = levels(b);
    if (dollarMismatch(x, y)) {
      return false;
    }
    for (int n = 0; ; n++) {
      if (n < x.length && x[n].equals("#") || n < y.length && y[n].equals("#")) {
        return true;
      }
      if (n == x.length || n == y.length) {
        return n == x.length && n == y.length;
      }
      if (!x[n].equals("+") && !y[n].equals("+") && !x[n].equals(y[n])) {
        return false;
      }
    }
  }

  /** @return the filter without a {@code $share/group/} prefix */
  public static String unshared(String filter) {
    if (!Topics.isShared(filter)) {
      return filter;
    }
    return filter.substring(filter.indexOf('/', Topics.SHARE_PREFIX.length()) + 1);
  }

  /** A first-level wildcard on one side never matches a $-topic named on the other. */
  private static boolean dollarMismatch(String[] x, String[] y) {
    return x[0].startsWith("$") && isWildcard(y[0]) || y[0].startsWith("$") && isWildcard(x[0]);
  }

  private static boolean isWildcard(String level) {
    return level.equals("+") || level.equals("#");
  }

  private static String[] levels(String filter) {
    return filter.split("/", -1);
  }
}
