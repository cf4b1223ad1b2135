package org.ferrymq.security.acl;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ferrymq.security.Authorizer;
import org.ferrymq.security.ClientIdentity;
import org.ferrymq.topic.TopicMatcher;
import org.ferrymq.topic.Topics;

/**
 * Topic access control lists, parsed from a Mosquitto-like line format (see {@link AclParser}
 * and docs/security.md).
 *
 * <p>Decision: the sections that apply to a client are asked in order of specificity, and the
 * first one that has an opinion decides:
 * <ol>
 *   <li>the client's {@code user} section (or the {@code anonymous} section for anonymous
 *       clients),</li>
 *   <li>the {@code role} sections of every role the client holds,</li>
 *   <li>the {@code pattern} lines (per-client rules, wherever they stand),</li>
 *   <li>the {@code topic} lines before any section.</li>
 * </ol>
 * Within one level a {@code deny} rule wins, then a rule granting the access asked for; a level
 * with neither passes the question on, and when no level decides the default applies (allow in
 * the dev profile, deny in the secure one). What "applies" means depends on the question:
 * <ul>
 *   <li>publish to a topic, and receive a message on a topic: the rule's filter matches the
 *       topic;</li>
 *   <li>subscribe to a filter: a deny rule applies when it covers every topic of the filter; a
 *       read grant applies when it shares any topic with the filter. A wide subscription such as
 *       {@code #} is therefore accepted, and each message is then checked as a receive, so the
 *       client gets exactly the topics it may read (as Mosquitto does).</li>
 * </ul>
 *
 * <p>{@code %u} and {@code %c} in a {@code pattern} are replaced by the user name and client id,
 * in one pass (see {@link #substitute}); such a rule is skipped for anonymous clients ({@code
 * %u}) and for values that are empty, hold {@code +}, {@code #} or {@code /}, or start with
 * {@code $}, which would otherwise widen or move the rule.
 *
 * <p>Users are matched on {@link ClientIdentity#username()}, which the authenticator sets to
 * the registry's canonical name (not the name as the client typed it), exactly: a {@code user}
 * section names the user as the registry does.
 *
 * <p>Immutable and thread-safe.
 */
public final class Acl implements Authorizer {

  /**
   * One ACL line.
   *
   * @param access what it grants, or deny
   * @param filter the topic filter, possibly with {@code %u}/{@code %c}
   * @param pattern whether {@code %u}/{@code %c} are substituted
   */
  public record Rule(Access access, String filter, boolean pattern) {
  }

  private final List<Rule> general;
  private final List<Rule> patterns;
  private final Map<String, List<Rule>> users;
  private final Map<String, List<Rule>> roles;
  private final List<Rule> anonymous;
  private final boolean allowByDefault;
  /** No rule at all: every question gets the default, asked for every delivery. */
  private final boolean noRules;

  Acl(List<Rule> general, List<Rule> patterns, Map<String, List<Rule>> users,
      Map<String, List<Rule>> roles, List<Rule> anonymous, boolean allowByDefault) {
    this.general = List.copyOf(general);
    this.patterns = List.copyOf(patterns);
    this.users = copy(users);
    this.roles = copy(roles);
    this.anonymous = List.copyOf(anonymous);
    this.allowByDefault = allowByDefault;
    this.noRules = general.isEmpty() && patterns.isEmpty() && users.isEmpty() && roles.isEmpty()
        && anonymous.isEmpty();
  }

  /** @return an ACL without rules: every question gets the default */
  public static Acl empty(boolean allowByDefault) {
    return new Acl(List.of(), List.of(), Map.of(), Map.of(), List.of(), allowByDefault);
  }

  /** @return whether the client may publish to the topic name */
  @Override
  public boolean canPublish(ClientIdentity client, String topic) {
    return decide(client, topic, Question.PUBLISH);
  }

  /** @return whether the client may subscribe to the filter ({@code $share/g/} is ignored) */
  @Override
  public boolean canSubscribe(ClientIdentity client, String filter) {
    return decide(client, FilterRelations.unshared(filter), Question.SUBSCRIBE);
  }

  /** @return whether a message on the topic may be delivered to the client */
  @Override
  public boolean canReceive(ClientIdentity client, String topic) {
    return decide(client, topic, Question.RECEIVE);
  }

  /** @return the number of rules, for the startup log */
  public int size() {
    int n = general.size() + patterns.size() + anonymous.size();
    for (List<Rule> r : users.values()) {
      n += r.size();
    }
    for (List<Rule> r : roles.values()) {
      n += r.size();
    }
    return n;
  }

  /** @return what topics no rule decides get */
  public boolean allowsByDefault() {
    return allowByDefault;
  }

  /** What is asked: the rules apply to topics and filters differently. */
  private enum Question { PUBLISH, SUBSCRIBE, RECEIVE }

  private boolean decide(ClientIdentity client, String topic, Question question) {
    if (noRules) {
      return allowByDefault;
    }
    List<Rule> own = client.isAnonymous() ? anonymous
        : users.getOrDefault(client.username(), List.of());
    Boolean verdict = level(own, client, topic, question);
    if (verdict == null && !client.roles().isEmpty() && !roles.isEmpty()) {
      verdict = rolesLevel(client, topic, question);
    }
    if (verdict == null) {
      verdict = level(patterns, client, topic, question);
    }
    if (verdict == null) {
      verdict = level(general, client, topic, question);
    }
    return verdict == null ? allowByDefault : verdict;
  }

  /** @return TRUE to allow, FALSE to deny, null when these rules say nothing */
  private static Boolean level(List<Rule> rules, ClientIdentity client, String topic,
      Question question) {
    return switch (scan(rules, client, topic, question)) {
      case DENIED -> Boolean.FALSE;
      case GRANTED -> Boolean.TRUE;
      case SILENT -> null;
    };
  }

  /**
   * The role sections of every role the client holds, as one level: a deny in any of them
   * wins, then a grant in any. Scanned in place, since this is asked for every delivery.
   */
  private Boolean rolesLevel(ClientIdentity client, String topic, Question question) {
    boolean allowed = false;
    for (String role : client.roles()) {
      List<Rule> rules = roles.get(role);
      if (rules == null) {
        continue;
      }
      Scan found = scan(rules, client, topic, question);
      if (found == Scan.DENIED) {
        return Boolean.FALSE;
      }
      allowed |= found == Scan.GRANTED;
    }
    return allowed ? Boolean.TRUE : null;
  }

  private enum Scan { DENIED, GRANTED, SILENT }

  private static Scan scan(List<Rule> rules, ClientIdentity client, String topic,
      Question question) {
    boolean allowed = false;
    for (Rule rule : rules) {
      String filter = rule.pattern() ? substitute(rule.filter(), client) : rule.filter();
      if (filter == null) {
        continue;
      }
      if (rule.access() == Access.DENY) {
        if (question == Question.SUBSCRIBE ? FilterRelations.covers(filter, topic)
            : TopicMatcher.matches(filter, topic)) {
          return Scan.DENIED;
        }
      } else if (!allowed && grants(rule.access(), filter, topic, question)) {
        allowed = true;
      }
    }
    return allowed ? Scan.GRANTED : Scan.SILENT;
  }

  private static boolean grants(Access access, String filter, String topic, Question question) {
    return switch (question) {
      case PUBLISH -> access.grantsWrite() && TopicMatcher.matches(filter, topic);
      case RECEIVE -> access.grantsRead() && TopicMatcher.matches(filter, topic);
      case SUBSCRIBE -> access.grantsRead() && FilterRelations.intersects(filter, topic);
    };
  }

  /**
   * Replaces {@code %u} and {@code %c} in one pass over the rule: an inserted value is never
   * scanned again, so a user named {@code %c} becomes the text {@code %c}, not the client id.
   * The rule does not apply (null) when a value it names is missing or could widen it or move
   * it: empty, holding {@code /} (more levels), {@code +} or {@code #} (wildcards), or starting
   * with {@code $} (the server's topics, which a pattern {@code %c/#} would otherwise reach).
   *
   * @return the filter with the values substituted, or null when the rule does not apply
   */
  static String substitute(String filter, ClientIdentity client) {
    StringBuilder result = null;
    int copied = 0;
    for (int i = filter.indexOf('%'); i >= 0 && i + 1 < filter.length();
        i = filter.indexOf('%', i + 1)) {
      char what = filter.charAt(i + 1);
      if (what != 'u' && what != 'c') {
        continue;
      }
      String value = what == 'u' ? client.username() : client.clientId();
      if (!isPlainLevel(value)) {
        return null;
      }
      if (result == null) {
        result = new StringBuilder(filter.length() + 32);
      }
      result.append(filter, copied, i).append(value);
      copied = i + 2;
      i++;
    }
    if (result == null) {
      return filter;
    }
    String substituted = result.append(filter, copied, filter.length()).toString();
    return Topics.isValidFilter(substituted) ? substituted : null;
  }

  private static boolean isPlainLevel(String value) {
    return value != null && !value.isEmpty() && value.charAt(0) != '$'
        && value.indexOf('+') < 0 && value.indexOf('#') < 0 && value.indexOf('/') < 0;
  }

  private static Map<String, List<Rule>> copy(Map<String, List<Rule>> sections) {
    Map<String, List<Rule>> copy = new HashMap<>();
    sections.forEach((name, rules) -> copy.put(name, List.copyOf(rules)));
    return Map.copyOf(copy);
  }

  /** @return the names of the user sections, for tests and the startup log */
  Set<String> userNames() {
    return users.keySet();
  }
}
