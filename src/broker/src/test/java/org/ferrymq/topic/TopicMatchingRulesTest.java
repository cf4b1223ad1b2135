package org.ferrymq.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every example of the rules in the header comment of {@code SubscriptionTree.java}, checked
 * against the three implementations: {@link TopicMatcher}, {@link SubscriptionTree} (plain and
 * shared) and {@link RetainedTree}.
 */
class TopicMatchingRulesTest {

  static Stream<Arguments> rules() {
    return Stream.of(
        // '#' matches the parent level and any number of further levels
        rule("sport/tennis/player1/#", "sport/tennis/player1", true),
        rule("sport/tennis/player1/#", "sport/tennis/player1/ranking", true),
        rule("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true),
        rule("sport/tennis/player1/#", "sport/tennis", false),
        rule("sport/tennis/player1/#", "sport/tennis/player2", false),
        rule("sport/tennis/player1/#", "sport/tennis/player11", false),
        rule("sport/#", "sport", true),
        rule("sport/#", "sport/", true),
        rule("sport/#", "sport/a/b", true),
        rule("sport/#", "sports", false),
        rule("sport/#", "Sport/a", false),
        rule("/#", "/", true),
        rule("/#", "/a", true),
        rule("/#", "a", false),
        // '+' matches exactly one level, including an empty one
        rule("sport/+", "sport/", true),
        rule("sport/+", "sport/tennis", true),
        rule("sport/+", "sport", false),
        rule("sport/+", "sport/tennis/x", false),
        rule("+", "a", true),
        rule("+", "a b", true),
        rule("+", "/", false),
        rule("+", "/a", false),
        rule("+", "a/b", false),
        rule("+/+", "/finance", true),
        rule("+/+", "/", true),
        rule("+/+", "a/b", true),
        rule("+/+", "a", false),
        rule("+/+", "a/b/c", false),
        rule("/+", "/finance", true),
        rule("/+", "/", true),
        rule("/+", "finance", false),
        rule("/+", "/a/b", false),
        rule("a/+/b", "a//b", true),
        rule("a/+/b", "a/x/b", true),
        rule("a/+/b", "a/b", false),
        rule("a/+/b", "a/x/y/b", false),
        rule("+/#", "a", true),
        rule("+/#", "a/b", true),
        // '#' alone matches everything except $-topics
        rule("#", "a", true),
        rule("#", "/", true),
        rule("#", "/a", true),
        rule("#", "a//b", true),
        rule("#", "$SYS", false),
        rule("#", "$SYS/broker/load", false),
        // empty levels are levels; exact, case-sensitive, no normalisation
        rule("a//b", "a//b", true),
        rule("a//b", "a/b", false),
        rule("a//b", "a/x/b", false),
        rule("a//b", "a///b", false),
        rule("a/b", "a/b", true),
        rule("a/b", "A/b", false),
        rule("a/b", "a/b/", false),
        rule("a/b", "a//b", false),
        rule("a/b", "/a/b", false),
        // [MQTT-4.7.2-1] first-level wildcards do not match $-topics, literal $ levels do
        rule("+", "$SYS", false),
        rule("+/monitor/Clients", "a/monitor/Clients", true),
        rule("+/monitor/Clients", "$SYS/monitor/Clients", false),
        rule("+/#", "$SYS/x", false),
        rule("$SYS/#", "$SYS", true),
        rule("$SYS/#", "$SYS/broker/load", true),
        rule("$SYS/#", "$sys/broker", false),
        rule("$SYS/#", "SYS/broker", false),
        rule("$SYS/monitor/+", "$SYS/monitor/Clients", true),
        rule("$SYS/monitor/+", "$SYS/monitor", false));
  }

  private static Arguments rule(String filter, String topic, boolean matches) {
    return Arguments.of(filter, topic, matches);
  }

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @MethodSource("rules")
  void topicMatcherFollowsRule(String filter, String topic, boolean expected) {
    // Exercise
    boolean matches = TopicMatcher.matches(filter, topic);

    // Verify
    assertEquals(expected, matches);
  }

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @MethodSource("rules")
  void topicMatcherMatchesSharedFilterByInnerFilter(String filter, String topic,
      boolean expected) {
    // Exercise
    boolean matches = TopicMatcher.matches("$share/g/" + filter, topic);

    // Verify
    assertEquals(expected, matches);
  }

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @MethodSource("rules")
  void subscriptionTreeFollowsRule(String filter, String topic, boolean expected) {
    SubscriptionTree sut = new SubscriptionTree();
    sut.subscribe(Subscriptions.entry("c", filter));

    // Exercise
    RecordingSink sink = RecordingSink.match(sut, topic);

    // Verify
    assertEquals(expected ? List.of("c:" + filter) : List.of(), sink.keys());
  }

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @MethodSource("rules")
  void subscriptionTreeMatchesSharedSubscriptionByInnerFilter(String filter, String topic,
      boolean expected) {
    SubscriptionTree sut = new SubscriptionTree();
    sut.subscribe(Subscriptions.entry("c", "$share/g/" + filter));

    // Exercise
    RecordingSink sink = RecordingSink.match(sut, topic);

    // Verify
    assertEquals(expected ? List.of("$share/g/" + filter) : List.of(), sink.keys());
  }

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @MethodSource("rules")
  void retainedTreeFollowsRule(String filter, String topic, boolean expected) {
    RetainedTree<String> sut = new RetainedTree<>();
    sut.put(topic, "v");
    List<String> found = new ArrayList<>();

    // Exercise
    sut.forEachMatching(filter, (t, v) -> found.add(t));

    // Verify
    assertEquals(expected ? List.of(topic) : List.of(), found);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "sport/tennis#", "sport/#/ranking", "sport+", "a/+b", "$share/g",
      "$share/g/", "$share/g+/a", "$share//a"})
  void invalidFiltersAreRejected(String filter) {
    // Exercise / Verify
    assertThrows(IllegalArgumentException.class, () -> TopicMatcher.matches(filter, "a"));
    assertThrows(IllegalArgumentException.class, () -> Subscriptions.entry("c", filter));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/+", "#", "a/#"})
  void invalidTopicNamesAreRejected(String topic) {
    // Exercise / Verify
    assertThrows(IllegalArgumentException.class, () -> TopicMatcher.matches("#", topic));
  }

  /**
   * Cross-checks both trees against the reference matcher on random filters and topics drawn
   * from a small alphabet, so that empty levels, wildcards and $-topics collide often.
   */
  @Test
  void treesAgreeWithTopicMatcherOnRandomFiltersAndTopics() {
    Random random = new Random(42);
    Set<String> filters = new TreeSet<>();
    Set<String> topics = new TreeSet<>();
    while (filters.size() < 300) {
      filters.add(randomPath(random, new String[] {"a", "b", "", "+", "$s"}, true));
    }
    while (topics.size() < 120) {
      topics.add(randomPath(random, new String[] {"a", "b", "", "$s"}, false));
    }
    SubscriptionTree sut = new SubscriptionTree();
    RetainedTree<String> retained = new RetainedTree<>();
    filters.forEach(f -> sut.subscribe(Subscriptions.entry(f, f)));
    topics.forEach(t -> retained.put(t, t));

    for (String topic : topics) {
      // Exercise
      Set<String> matched = new HashSet<>();
      RecordingSink.match(sut, topic).direct.forEach(e -> matched.add(e.filter()));

      // Verify
      Set<String> expected = new HashSet<>();
      filters.stream().filter(f -> TopicMatcher.matches(f, topic)).forEach(expected::add);
      assertEquals(expected, matched, "filters matching " + topic);
    }
    for (String filter : filters) {
      // Exercise
      Set<String> found = new HashSet<>();
      retained.forEachMatching(filter, (t, v) -> found.add(t));

      // Verify
      Set<String> expected = new HashSet<>();
      topics.stream().filter(t -> TopicMatcher.matches(filter, t)).forEach(expected::add);
      assertEquals(expected, found, "topics matching " + filter);
    }
  }

  private static String randomPath(Random random, String[] alphabet, boolean filter) {
    int levels = 1 + random.nextInt(4);
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < levels; i++) {
      String level = alphabet[random.nextInt(alphabet.length)];
      if (i > 0 && level.startsWith("$")) {
        level = "a";
      }
      path.append(i == 0 ? "" : "/").append(level);
    }
    if (filter && random.nextInt(4) == 0) {
      path.append("/#");
    }
    String result = path.toString();
    if (filter && random.nextInt(20) == 0) {
      return "#";
    }
    return result.isEmpty() ? "/" : result;
  }
}
