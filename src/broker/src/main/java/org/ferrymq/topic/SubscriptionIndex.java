package org.ferrymq.topic;

import java.util.List;

/**
 * Index of all subscriptions of the broker, shaped so that a cluster-wide implementation can
 * replace the local {@link SubscriptionTree}. All methods may be called concurrently from any
 * thread.
 */
public interface SubscriptionIndex {

  /**
   * Adds a subscription, or replaces the one with the same client id and full filter.
   *
   * @param entry the subscription
   * @return {@code true} if the client had no subscription with this full filter before (Retain
   *     Handling 1)
   * @throws IllegalArgumentException if the implementation cannot hold the filter
   */
  boolean subscribe(SubscriptionEntry entry);

  /**
   * Removes one subscription of a client.
   *
   * @param clientId the client
   * @param fullFilter the filter as sent in UNSUBSCRIBE, including a {@code $share/<name>/} prefix
   * @return whether the subscription existed
   */
  boolean unsubscribe(String clientId, String fullFilter);

  /**
   * Removes every subscription of a client.
   *
   * @param clientId the client
   * @return the removed subscriptions, empty if there were none
   */
  List<SubscriptionEntry> unsubscribeAll(String clientId);

  /**
   * Reports every subscription matching a topic name: non-shared ones one by one, shared ones as
   * groups. Lock-free, and allocates no more than a small constant when nothing matches.
   *
   * @param topic a valid topic name
   * @param sink receives the matches
   */
  void match(String topic, MatchSink sink);

  /**
   * Lists a client's subscriptions, for session persistence and admin views.
   *
   * @param clientId the client
   * @return an immutable snapshot in order of first subscription
   */
  List<SubscriptionEntry> subscriptionsOf(String clientId);

  /** @return the number of subscriptions, counting every member of every shared group */
  int size();

  /**
   * How many subscribers a shared group's member entry stands for, its weight when the engine
   * balances a group over entries of unequal size. An entry is one subscriber, except in a
   * cluster-wide index, where one entry stands for all of a peer node's members of the group.
   *
   * @param member an entry of a group that {@link #match} reported
   * @return at least 1
   */
  default int weight(SubscriptionEntry member) {
    return 1;
  }
}
