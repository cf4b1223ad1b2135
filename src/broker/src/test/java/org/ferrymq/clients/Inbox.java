package org.ferrymq.clients;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.awaitility.core.ConditionFactory;

/**
 * Collects what a client library delivers on its callback threads; the test thread waits for it
 * with a timeout.
 */
final class Inbox<T> {

  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static final Duration POLL = Duration.ofMillis(10);

  private final List<T> items = new ArrayList<>();

  /** @return an Awaitility wait bounded by {@link #TIMEOUT} that polls every 10 ms */
  static ConditionFactory waiting() {
    return await().atMost(TIMEOUT).pollDelay(Duration.ZERO).pollInterval(POLL);
  }

  synchronized void add(T item) {
    items.add(item);
  }

  synchronized List<T> snapshot() {
    return List.copyOf(items);
  }

  synchronized void clear() {
    items.clear();
  }

  /** Waits until at least {@code count} items arrived and returns all of them. */
  List<T> awaitCount(int count) {
    waiting().until(() -> snapshot().size() >= count);
    return snapshot();
  }

  /** Waits until an item matching {@code marker} arrived and returns everything so far. */
  List<T> awaitMatching(Predicate<T> marker) {
    waiting().until(() -> snapshot().stream().anyMatch(marker));
    return snapshot();
  }

  /** @return the items that match, in arrival order */
  List<T> matching(Predicate<T> filter) {
    List<T> found = new ArrayList<>();
    for (T item : snapshot()) {
      if (filter.test(item)) {
        found.add(item);
      }
    }
    return found;
  }
}
