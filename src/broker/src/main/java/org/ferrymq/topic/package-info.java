/**
 * Topic names, filters and routing: validation ({@link org.ferrymq.topic.Topics}), the reference
 * matcher ({@link org.ferrymq.topic.TopicMatcher}), the subscription index the engine routes
 * PUBLISH with ({@link org.ferrymq.topic.SubscriptionIndex}, implemented locally by
 * {@link org.ferrymq.topic.SubscriptionTree}) and the reverse lookup for retained messages
 * ({@link org.ferrymq.topic.RetainedTree}).
 *
 * <p>The matching rules, with valid, invalid and non-matching examples, are the header comment of
 * {@code SubscriptionTree.java}. Every type here is immutable or safe for concurrent use from
 * many engine lanes; each class states its policy.
 */
package org.ferrymq.topic;
