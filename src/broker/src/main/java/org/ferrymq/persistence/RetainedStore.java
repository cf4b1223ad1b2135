package org.ferrymq.persistence;

import java.util.List;
import org.ferrymq.message.Message;

/** Durable retained messages, one per topic. */
public interface RetainedStore {

  /** Stores or replaces the retained message of its topic. */
  void put(Message message);

  /** Removes the retained message of a topic, if any. */
  void remove(String topic);

  /** @return every retained message, for recovery at start */
  List<Message> loadRetained();
}
