package org.ferrymq.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Threads putting, removing and looking up retained topics on overlapping paths at once. */
class RetainedTreeConcurrencyTest {
  private static final int WRITERS = 8;
  private static final int OPERATIONS = 20_000;

  private final RetainedTree<String> sut = new RetainedTree<>();

  @Test
  void concurrentWritersAndReadersLeaveAConsistentTree() throws InterruptedException {
    List<Map<String, String>> models = new ArrayList<>();
    List<Runnable> tasks = new ArrayList<>();
    CountDownLatch writersDone = new CountDownLatch(WRITERS);
    for (int w = 0; w < WRITERS; w++) {
      Map<String, String> model = new HashMap<>();
      models.add(model);
      int writer = w;
      tasks.add(Concurrently.countingDown(writersDone, () -> churn(writer, model)));
    }
    for (String filter : List.of("#", "a/+/#", "a/b/+")) {
      tasks.add(() -> {
        while (writersDone.getCount() > 0) {
          sut.forEachMatching(filter, (topic, value) -> {
            assertTrue(TopicMatcher.matches(filter, topic));
            assertTrue(value.startsWith(topic + '='));
          });
        }
      });
    }

    // Exercise
    Concurrently.run(tasks);

    // Verify
    Map<String, String> expected = new HashMap<>();
    models.forEach(expected::putAll);
    Map<String, String> stored = new ConcurrentHashMap<>();
    sut.forEach(stored::put);
    assertEquals(expected, stored);
    assertEquals(expected.size(), sut.size());
    expected.keySet().forEach(sut::remove);
    assertEquals(0, sut.size());
    assertEquals(1, sut.nodeCount());
  }

  private void churn(int writer, Map<String, String> model) {
    List<String> topics = List.of("a/" + writer, "a/b/" + writer, "a/b/c/" + writer,
        "a/b/c/d/" + writer, writer + "/a", "$SYS/" + writer);
    Random random = new Random(writer);
    for (int i = 0; i < OPERATIONS; i++) {
      String topic = topics.get(random.nextInt(topics.size()));
      if (random.nextBoolean()) {
        String value = topic + '=' + i;
        assertEquals(model.put(topic, value), sut.put(topic, value));
      } else {
        assertEquals(model.remove(topic), sut.remove(topic));
      }
    }
  }

  /**
   * One thread keeps creating and pruning a/b/c while others store below and on that path; each
   * stored value must be readable right after {@code put} returns.
   */
  @Test
  void putRacingWithPruneOfTheSamePathIsNeverLost() throws InterruptedException {
    List<Runnable> tasks = new ArrayList<>();
    tasks.add(() -> {
      for (int i = 0; i < OPERATIONS * 5; i++) {
        sut.put("a/b/c", "pruned");
        sut.remove("a/b/c");
      }
    });
    for (String topic : List.of("a/b/c/d", "a/b", "a/b/c/d/e", "a")) {
      tasks.add(() -> {
        for (int i = 0; i < OPERATIONS * 2; i++) {
          String value = topic + i;
          sut.put(topic, value);
          assertEquals(value, sut.get(topic), () -> "lost " + topic);
          List<String> found = new ArrayList<>();
          sut.forEachMatching(topic, (t, v) -> found.add(v));
          assertEquals(List.of(value), found, () -> "not found by filter " + topic);
          assertEquals(value, sut.remove(topic));
        }
      });
    }

    // Exercise
    Concurrently.run(tasks);

    // Verify
    assertEquals(0, sut.size());
    assertEquals(1, sut.nodeCount());
  }
}
