package org.ferrymq.topic;

import static org.ferrymq.topic.Subscriptions.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Lanes subscribing, unsubscribing and matching at once on overlapping paths. Each writer owns
 * its clients, as engine lanes do, so it can keep an exact model to check the tree against.
 */
class SubscriptionTreeConcurrencyTest {
  private static final List<String> FILTERS = List.of("a", "a/b", "a/b/c", "a/b/c/d", "a/+/c",
      "a/#", "+/b", "#", "/", "$SYS/#", "$share/g/a/b", "$share/h/a/+", "$share/g/#");
  private static final List<String> TOPICS = List.of("a", "a/b", "a/b/c", "a/x/c", "a/b/c/d",
      "x/b", "/", "$SYS/a", "b");
  private static final int WRITERS = 8;
  private static final int CLIENTS_PER_WRITER = 4;
  private static final int OPERATIONS = 20_000;

  private final SubscriptionTree sut = new SubscriptionTree();

  @Test
  void concurrentWritersAndMatchersLeaveAConsistentTree() throws InterruptedException {
    List<Map<String, Set<String>>> models = new ArrayList<>();
    List<Runnable> tasks = new ArrayList<>();
    CountDownLatch writersDone = new CountDownLatch(WRITERS);
    for (int w = 0; w < WRITERS; w++) {
      Map<String, Set<String>> model = new HashMap<>();
      models.add(model);
      int writer = w;
      tasks.add(Concurrently.countingDown(writersDone, () -> churn(writer, model)));
    }
    for (int m = 0; m < 2; m++) {
      tasks.add(() -> {
        while (writersDone.getCount() > 0) {
          for (String topic : TOPICS) {
            RecordingSink sink = RecordingSink.match(sut, topic);
            sink.direct.forEach(e -> assertTrue(TopicMatcher.matches(e.filter(), topic)));
            sink.shared.forEach(g -> assertTrue(TopicMatcher.matches(g.filter(), topic)));
          }
        }
      });
    }

    // Exercise
    Concurrently.run(tasks);

    // Verify
    Map<String, Set<String>> expected = new HashMap<>();
    models.forEach(expected::putAll);
    expected.values().removeIf(Set::isEmpty);
    assertEquals(expected.values().stream().mapToInt(Set::size).sum(), sut.size());
    expected.forEach((client, filters) -> assertEquals(filters, new TreeSet<>(
        sut.subscriptionsOf(client).stream().map(SubscriptionEntry::fullFilter).toList())));
    for (String topic : TOPICS) {
      assertEquals(expectedMatches(expected, topic),
          new TreeSet<>(RecordingSink.match(sut, topic).keysWithMembers()), topic);
    }
    expected.keySet().forEach(sut::unsubscribeAll);
    assertEquals(0, sut.size());
    assertEquals(1, sut.nodeCount());
  }

  private void churn(int writer, Map<String, Set<String>> model) {
    Random random = new Random(writer);
    for (int i = 0; i < OPERATIONS; i++) {
      String client = "w" + writer + "c" + random.nextInt(CLIENTS_PER_WRITER);
      String filter = FILTERS.get(random.nextInt(FILTERS.size()));
      Set<String> filters = model.computeIfAbsent(client, c -> new TreeSet<>());
      int action = random.nextInt(10);
      if (action < 5) {
        assertEquals(filters.add(filter), sut.subscribe(entry(client, filter)));
      } else if (action < 9) {
        assertEquals(filters.remove(filter), sut.unsubscribe(client, filter));
      } else {
        assertEquals(filters, new TreeSet<>(sut.unsubscribeAll(client).stream()
            .map(SubscriptionEntry::fullFilter).toList()));
        filters.clear();
      }
    }
  }

  private static Set<String> expectedMatches(Map<String, Set<String>> model, String topic) {
    Set<String> keys = new TreeSet<>();
    Map<String, Set<String>> groups = new HashMap<>();
    model.forEach((client, filters) -> filters.stream()
        .filter(f -> TopicMatcher.matches(f, topic))
        .forEach(f -> {
          if (Topics.isShared(f)) {
            groups.computeIfAbsent(f, g -> new TreeSet<>()).add(client);
          } else {
            keys.add(client + ':' + f);
          }
        }));
    groups.forEach((group, members) -> keys.add(group + members));
    return keys;
  }

  /**
   * A lane keeps creating and pruning the path a/b/c while others subscribe below and on it. Each
   * subscribe must be visible to a match right after it returns: a subscribe that landed in a
   * node being pruned would be lost.
   */
  @Test
  void subscribeRacingWithPruneOfTheSamePathIsNeverLost() throws InterruptedException {
    List<Runnable> tasks = new ArrayList<>();
    tasks.add(() -> {
      for (int i = 0; i < OPERATIONS * 5; i++) {
        sut.subscribe(entry("pruner", "a/b/c"));
        sut.unsubscribe("pruner", "a/b/c");
      }
    });
    tasks.add(() -> {
      for (int i = 0; i < OPERATIONS * 5; i++) {
        sut.subscribe(entry("pruner2", "a/+/c/#"));
        sut.unsubscribeAll("pruner2");
      }
    });
    List<String> probes = List.of("a/b/c/d", "a/b", "$share/g/a/b/c/d", "a/+/c/d", "a/b/c/#");
    for (String probe : probes) {
      tasks.add(() -> {
        for (int i = 0; i < OPERATIONS * 2; i++) {
          sut.subscribe(entry("probe", probe));
          String inner = Topics.isShared(probe) ? "a/b/c/d" : probe;
          String topic = inner.replace("+", "b").replace("#", "d");
          assertTrue(RecordingSink.match(sut, topic).reports("probe", probe),
              () -> "lost " + probe);
          sut.unsubscribe("probe", probe);
        }
      });
    }

    // Exercise
    Concurrently.run(tasks);

    // Verify
    assertEquals(0, sut.size());
    assertEquals(1, sut.nodeCount());
    assertEquals(Set.of(), new HashSet<>(RecordingSink.match(sut, "a/b/c/d").keys()));
  }
}
