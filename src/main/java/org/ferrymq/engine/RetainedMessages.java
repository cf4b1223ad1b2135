package org.ferrymq.engine;

import java.util.function.BiConsumer;
import org.ferrymq.persistence.RetainedStore;
import org.ferrymq.topic.RetainedTree;

/**
 * Retained messages: one per topic, looked up by filter on subscribe. An empty payload deletes
 * [MQTT-3.3.1-6]; a stored message past its expiry is deleted when found.
 */
final class RetainedMessages {
  private final RetainedTree<Message> tree = new RetainedTree<>();
  private final RetainedStore store;
  private final java.time.Clock clock;

  RetainedMessages(RetainedStore store, java.time.Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Restores a message read from the store at start. */
  void restore(Message m) {
    tree.put(m.topic(), m);
  }

  /** Applies a PUBLISH with RETAIN=1. */
  void update(Message m) {
    if (m.payload().length == 0) {
      if (tree.remove(m.topic()) != null) {
        store.remove(m.topic());
      }
      return;
    }
    tree.put(m.topic(), m);
    store.put(m);
  }

  /** Calls {@code action} for each live retained message matching the filter. */
  void forEachMatching(String filter, BiConsumer<String, Message> action) {
    long now = clock.millis();
    tree.forEachMatching(filter, (topic, m) -> {
      if (m.isExpired(now)) {
        if (tree.remove(topic) != null) {
          store.remove(topic);
        }
      } else {
        action.accept(topic, m);
      }
    });
  }

  /** Deletes expired messages. */
  void purgeExpired() {
    long now = clock.millis();
    tree.forEach((topic, m) -> {
      if (m.isExpired(now) && tree.remove(topic) != null) {
        store.remove(topic);
      }
    });
  }

  int size() {
    return tree.size();
  }
}
