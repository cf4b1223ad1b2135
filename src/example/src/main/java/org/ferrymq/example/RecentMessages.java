package org.ferrymq.example;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The last messages the example bean received, newest last. Thread-safe. */
public final class RecentMessages {

  static final int CAPACITY = 100;
  private static final ArrayDeque<Received> MESSAGES = new ArrayDeque<>();
  private static long total;

  private RecentMessages() {
  }

  static synchronized void add(Received message) {
    if (MESSAGES.size() == CAPACITY) {
      MESSAGES.removeFirst();
    }
    MESSAGES.addLast(message);
    total++;
  }

  /** @return how many messages the bean received since the application started */
  static synchronized long total() {
    return total;
  }

  static synchronized List<Received> snapshot() {
    return new ArrayList<>(MESSAGES);
  }

  /**
   * One received message.
   *
   * @param topic the topic
   * @param payload the payload as UTF-8 text
   * @param qos the delivery QoS
   * @param retained the retain flag
   */
  public record Received(String topic, String payload, int qos, boolean retained) {
  }
}
