package org.ferrymq.topic;

/**
 * Receives the result of {@link SubscriptionIndex#match}. Called on the matching thread with no
 * lock held; implementations may call back into the index.
 */
public interface MatchSink {

  /**
   * Called once per matching non-shared subscription. A client with several overlapping
   * subscriptions gets one call per subscription.
   *
   * @param entry the matching subscription
   */
  void direct(SubscriptionEntry entry);

  /**
   * Called once per matching shared group (one share name on one filter). The engine picks the
   * receiving member.
   *
   * @param group the matching group; its member list may be empty if the last member left
   *     concurrently
   */
  void shared(SharedGroup group);
}
