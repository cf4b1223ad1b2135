package org.ferrymq.engine;

/**
 * A {@link LocalSubscription} whose {@code close()} runs an action: unsubscribing an in-process
 * subscriber, or detaching a durable one.
 */
record ClosingSubscription(String filter, Runnable onClose) implements LocalSubscription {
  @Override
  public void close() {
    onClose.run();
  }
}
