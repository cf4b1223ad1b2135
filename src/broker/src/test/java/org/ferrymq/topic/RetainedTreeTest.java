package org.ferrymq.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RetainedTreeTest {
  private final RetainedTree<String> sut = new RetainedTree<>();

  @Test
  void putReturnsPreviousValueAndGetFindsExactTopicOnly() {
    // Exercise
    String first = sut.put("a/b", "1");
    String second = sut.put("a/b", "2");

    // Verify
    assertNull(first);
    assertEquals("1", second);
    assertEquals("2", sut.get("a/b"));
    assertNull(sut.get("a"));
    assertNull(sut.get("a/b/c"));
    assertNull(sut.get("a/b/"));
    assertEquals(1, sut.size());
  }

  @Test
  void removeReturnsPreviousValueAndPrunes() {
    sut.put("a/b/c", "1");

    // Exercise
    String removed = sut.remove("a/b/c");
    String removedAgain = sut.remove("a/b/c");

    // Verify
    assertEquals("1", removed);
    assertNull(removedAgain);
    assertNull(sut.remove("never/stored"));
    assertEquals(0, sut.size());
    assertEquals(1, sut.nodeCount());
  }

  @Test
  void removingAParentTopicKeepsItsChildren() {
    sut.put("a", "parent");
    sut.put("a/b", "child");

    // Exercise
    sut.remove("a");

    // Verify
    assertEquals("child", sut.get("a/b"));
    assertEquals(3, sut.nodeCount());
    assertEquals(1, sut.size());
  }

  static Stream<Arguments> lookups() {
    return Stream.of(
        Arguments.of("#", Set.of("/", "a", "a/b", "a/b/c", "a//b")),
        Arguments.of("+", Set.of("a")),
        Arguments.of("+/+", Set.of("/", "a/b")),
        Arguments.of("a/#", Set.of("a", "a/b", "a/b/c", "a//b")),
        Arguments.of("a/+", Set.of("a/b")),
        Arguments.of("a/+/+", Set.of("a/b/c", "a//b")),
        Arguments.of("+/b", Set.of("a/b")),
        Arguments.of("$SYS/#", Set.of("$SYS", "$SYS/load")),
        Arguments.of("$SYS/+", Set.of("$SYS/load")),
        Arguments.of("a//b", Set.of("a//b")),
        Arguments.of("b/#", Set.of()));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("lookups")
  void forEachMatchingFindsEveryMatchingTopic(String filter, Set<String> expected) {
    for (String topic : new String[] {"a", "a/b", "a/b/c", "a//b", "/", "$SYS", "$SYS/load"}) {
      sut.put(topic, topic.toUpperCase());
    }
    Map<String, String> found = new HashMap<>();

    // Exercise
    sut.forEachMatching(filter, found::put);

    // Verify
    assertEquals(expected, found.keySet());
    found.forEach((topic, value) -> assertEquals(topic.toUpperCase(), value));
  }

  @Test
  void forEachReportsEverything() {
    Map<String, String> stored = Map.of("a", "1", "$SYS/x", "2", "/", "3", "a/b/c", "4");
    stored.forEach(sut::put);
    Map<String, String> found = new HashMap<>();

    // Exercise
    sut.forEach(found::put);

    // Verify
    assertEquals(stored, found);
  }

  @Test
  void sharedFilterIsRejected() {
    // Exercise / Verify
    assertThrows(IllegalArgumentException.class, () -> sut.forEachMatching("$share/g/#", (t, v) -> {
    }));
  }

  @Test
  void invalidTopicNameIsRejected() {
    // Exercise / Verify
    assertThrows(IllegalArgumentException.class, () -> sut.put("a/+", "v"));
    assertThrows(IllegalArgumentException.class, () -> sut.put("", "v"));
  }

  @Test
  void callbackMayRemoveWhileIterating() {
    for (int i = 0; i < 100; i++) {
      sut.put("t/" + i, "v");
    }

    // Exercise
    sut.forEachMatching("t/+", (topic, value) -> sut.remove(topic));

    // Verify
    assertEquals(0, sut.size());
    assertEquals(1, sut.nodeCount());
  }

  @Test
  void veryDeepTopicsDoNotOverflowTheStack() {
    String deep = "a" + "/a".repeat(30_000);
    sut.put(deep, "deep");
    Map<String, String> found = new HashMap<>();

    // Exercise
    sut.forEachMatching("#", found::put);
    sut.forEachMatching("a/#", found::put);

    // Verify
    assertEquals(Map.of(deep, "deep"), found);
    assertEquals("deep", sut.remove(deep));
    assertEquals(1, sut.nodeCount());
  }
}
