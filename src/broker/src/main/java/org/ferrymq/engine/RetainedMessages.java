package org.ferrymq.engine;

import java.util.function.BiConsumer;
import org.ferrymq.message.Message;
import org.ferrymq.persistence.RetainedStore;
import org.ferrymq.topic.RetainedTree;

/**
 * Retained messages: one per topic, looked up by filter on subscribe. An empty payload deletes
 * [MQTT-3.3.1-6]; a stored message past its expiry is deleted when found.
 *
 * <p>Capped by count ({@code mqtt.retained.max-messages}) and bytes ({@code
 * mqtt.retained.max-bytes}, payload, topic and properties). Only a message for a topic that has
 * none is refused: replacing or deleting one never is, so a topic's retained state is never left
 * stale. The caps are exact under concurrent publishers (a new topic reserves its place before it
 * is stored); a replacement may pass the byte cap by its growth, at most the maximum packet size
 * per topic. Thread-safe: lanes update it concurrently.
 */
final class RetainedMessages {
  private final RetainedTree<Message> tree = new RetainedTree<>();
  private final RetainedStore store;
  private final java.time.Clock clock;
  private final Quota count;
  private final Quota bytes;

  RetainedMessages(RetainedStore store, java.time.Clock clock, long maxMessages, long maxBytes) {
    this.store = store;
    this.clock = clock;
    this.count = new Quota(QuotaCap.RETAINED_COUNT, maxMessages);
    this.bytes = new Quota(QuotaCap.RETAINED_BYTES, maxBytes);
  }

  /** Restores a message read from the store at start, whatever the caps. */
  void restore(Message m) {
    account(tree.put(m.topic(), m), m, false);
  }

  /**
   * Applies a PUBLISH with RETAIN=1.
   *
   * @return null when applied, else the cap that refused to retain a message for a new topic
   */
  QuotaCap update(Message published) {
    // kept for later subscribers: its arrival says nothing about their delivery latency
    Message m = published.withoutArrival();
    if (m.payload().length == 0) {
      remove(m.topic());
      return null;
    }
    boolean isNew = tree.get(m.topic()) == null;
    if (isNew) {
      if (!count.tryAcquire(1)) {
        return QuotaCap.RETAINED_COUNT;
      }
      if (!bytes.tryAcquire(m.sizeInBytes())) {
        count.adjust(-1);
        return QuotaCap.RETAINED_BYTES;
      }
    }
    account(tree.put(m.topic(), m), m, isNew);
    store.put(m);
    return null;
  }

  /**
   * Applies a retained message that a cluster peer stored in the cluster-wide map: kept for
   * this node's subscribers, not written to the store again, whatever the caps (the node that
   * took the PUBLISH applied them).
   */
  void mirror(Message m) {
    account(tree.put(m.topic(), m), m, false);
  }

  /** Forgets a retained message that was deleted cluster-wide, without touching the store. */
  void mirrorRemoved(String topic) {
    Message previous = tree.remove(topic);
    if (previous != null) {
      count.adjust(-1);
      bytes.adjust(-previous.sizeInBytes());
    }
  }

  /**
   * Settles the counts once {@code m} replaced {@code previous} (null: there was none). A new
   * topic has reserved its place already; a racing publisher may have made it a replacement, or
   * a racing delete a new topic, so what was reserved and what happened are reconciled here.
   */
  private void account(Message previous, Message m, boolean reserved) {
    long countDelta = (previous == null ? 1 : 0) - (reserved ? 1 : 0);
    long bytesDelta = m.sizeInBytes() - (previous == null ? 0 : previous.sizeInBytes())
        - (reserved ? m.sizeInBytes() : 0);
    count.adjust(countDelta);
    bytes.adjust(bytesDelta);
  }

  /**
   * Deletes the retained message of a topic, as an empty retained PUBLISH would.
   *
   * @return whether there was one
   */
  boolean delete(String topic) {
    return remove(topic);
  }

  private boolean remove(String topic) {
    Message previous = tree.remove(topic);
    if (previous != null) {
      count.adjust(-1);
      bytes.adjust(-previous.sizeInBytes());
      store.remove(topic);
    }
    return previous != null;
  }

  /** Calls {@code action} for each live retained message matching the filter. */
  void forEachMatching(String filter, BiConsumer<String, Message> action) {
    long now = clock.millis();
    tree.forEachMatching(filter, (topic, m) -> {
      if (m.isExpired(now)) {
        remove(topic);
      } else {
        action.accept(topic, m);
      }
    });
  }

  /** Deletes expired messages. */
  void purgeExpired() {
    long now = clock.millis();
    tree.forEach((topic, m) -> {
      if (m.isExpired(now)) {
        remove(topic);
      }
    });
  }

  int size() {
    return tree.size();
  }

  long bytes() {
    return bytes.used();
  }

  /** @return the cap the messages recovered at start already pass, null when none */
  QuotaCap exceeded() {
    return Quota.firstExceeded(count, bytes);
  }
}
