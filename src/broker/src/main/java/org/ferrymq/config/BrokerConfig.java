package org.ferrymq.config;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.ferrymq.topic.SubscriptionTree;

/**
 * Validated engine settings. Build from any key lookup with {@link #from(Function)}; every key
 * and default is listed in {@link Setting}.
 */
public record BrokerConfig(
    int maxPacketSize,
    int receiveMaximum,
    int maxInflight,
    int topicAliasMaximum,
    int maxKeepAlive,
    long maxSessionExpiry,
    long v3SessionExpiry,
    int maxQueuedMessages,
    long maxQueuedBytes,
    QueueFullPolicy queueFullPolicy,
    int maximumQos,
    boolean retainAvailable,
    boolean wildcardSubscriptions,
    boolean sharedSubscriptions,
    boolean subscriptionIdentifiers,
    SharedStrategy sharedStrategy,
    int maxTopicLevels,
    int maxTopicLength,
    int maxClientIdLength,
    int connectTimeoutSeconds,
    int minPacketRate,
    int maxConnections,
    int lanes,
    int sysIntervalSeconds,
    int slowSubscriberTimeoutSeconds,
    int overloadHeapHighPercent,
    int overloadHeapLowPercent,
    int maxSessions,
    int maxPersistentSessions,
    int maxSubscriptionsPerClient,
    int maxRetainedMessages,
    long maxRetainedBytes,
    int authThreads,
    int authQueue,
    int authThrottleFailures,
    int authThrottleWindowSeconds,
    int authThrottleMaxBackoffSeconds,
    int authThrottleMaxTracked) {

  private static final long MAX_U32 = 0xFFFF_FFFFL;

  /** @return every setting at its default */
  public static BrokerConfig defaults() {
    return from(key -> Optional.empty());
  }

  /**
   * Reads and validates every {@link Setting} through {@code lookup}.
   *
   * @param lookup returns the configured value for a key, empty for the default
   * @throws ConfigException naming the first invalid key
   */
  public static BrokerConfig from(Function<String, Optional<String>> lookup) {
    Reader r = new Reader(lookup);
    int lanes = (int) r.integer(Setting.LANES, 0, 1024);
    int heapHigh = (int) r.integer(Setting.OVERLOAD_HEAP_HIGH, 50, 99);
    int heapLow = (int) r.integer(Setting.OVERLOAD_HEAP_LOW, 10, 98);
    if (heapLow >= heapHigh) {
      throw new ConfigException(Setting.OVERLOAD_HEAP_LOW.key(), heapLow
          + " must be below " + Setting.OVERLOAD_HEAP_HIGH.key() + " (" + heapHigh + ")");
    }
    int maxSessions = (int) r.integer(Setting.MAX_SESSIONS, 1, Integer.MAX_VALUE);
    int maxPersistent = (int) r.integer(Setting.MAX_PERSISTENT_SESSIONS, 1, Integer.MAX_VALUE);
    if (maxPersistent > maxSessions) {
      throw new ConfigException(Setting.MAX_PERSISTENT_SESSIONS.key(), maxPersistent
          + " must not exceed " + Setting.MAX_SESSIONS.key() + " (" + maxSessions + ")");
    }
    return new BrokerConfig(
        (int) r.integer(Setting.MAX_PACKET_SIZE, 16, 268_435_460),
        (int) r.integer(Setting.RECEIVE_MAXIMUM, 1, 65_535),
        (int) r.integer(Setting.MAX_INFLIGHT, 1, 65_535),
        (int) r.integer(Setting.TOPIC_ALIAS_MAXIMUM, 0, 65_535),
        (int) r.integer(Setting.MAX_KEEP_ALIVE, 1, 65_535),
        r.integer(Setting.MAX_SESSION_EXPIRY, 0, MAX_U32),
        r.integer(Setting.V3_SESSION_EXPIRY, 0, MAX_U32),
        (int) r.integer(Setting.MAX_QUEUED_MESSAGES, 1, 10_000_000),
        r.integer(Setting.MAX_QUEUED_BYTES, 1, Long.MAX_VALUE),
        r.choice(Setting.QUEUE_FULL_POLICY, QueueFullPolicy.class),
        (int) r.integer(Setting.MAXIMUM_QOS, 0, 2),
        r.bool(Setting.RETAIN_AVAILABLE),
        r.bool(Setting.WILDCARD_SUBSCRIPTIONS),
        r.bool(Setting.SHARED_SUBSCRIPTIONS),
        r.bool(Setting.SUBSCRIPTION_IDENTIFIERS),
        r.choice(Setting.SHARED_STRATEGY, SharedStrategy.class),
        (int) r.integer(Setting.MAX_TOPIC_LEVELS, 1, SubscriptionTree.MAX_FILTER_LEVELS),
        (int) r.integer(Setting.MAX_TOPIC_LENGTH, 1, 65_535),
        (int) r.integer(Setting.MAX_CLIENT_ID_LENGTH, 23, 65_535),
        (int) r.integer(Setting.CONNECT_TIMEOUT, 1, 3600),
        (int) r.integer(Setting.MIN_PACKET_RATE, 0, 1_000_000_000),
        (int) r.integer(Setting.MAX_CONNECTIONS, 1, Integer.MAX_VALUE),
        lanes == 0 ? 2 * Runtime.getRuntime().availableProcessors() : lanes,
        (int) r.integer(Setting.SYS_INTERVAL, 0, 86_400),
        (int) r.integer(Setting.SLOW_SUBSCRIBER_TIMEOUT, 1, 86_400),
        heapHigh,
        heapLow,
        maxSessions,
        maxPersistent,
        (int) r.integer(Setting.MAX_SUBSCRIPTIONS_PER_CLIENT, 1, Integer.MAX_VALUE),
        (int) r.integer(Setting.RETAINED_MAX_MESSAGES, 1, Integer.MAX_VALUE),
        r.integer(Setting.RETAINED_MAX_BYTES, 1, Long.MAX_VALUE),
        (int) r.integer(Setting.AUTH_THREADS, 1, 256),
        (int) r.integer(Setting.AUTH_QUEUE, 1, 1_000_000),
        (int) r.integer(Setting.AUTH_THROTTLE_FAILURES, 0, 1_000_000),
        (int) r.integer(Setting.AUTH_THROTTLE_WINDOW, 1, 86_400),
        (int) r.integer(Setting.AUTH_THROTTLE_MAX_BACKOFF, 1, 86_400),
        (int) r.integer(Setting.AUTH_THROTTLE_MAX_TRACKED, 1000, 10_000_000));
  }

  /** Parses raw strings with messages that name the key. */
  record Reader(Function<String, Optional<String>> lookup) {
    String raw(Setting s) {
      return lookup.apply(s.key()).map(String::trim).filter(v -> !v.isEmpty())
          .orElse(s.defaultValue());
    }

    long integer(Setting s, long min, long max) {
      String v = raw(s);
      long parsed;
      try {
        parsed = Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw new ConfigException(s.key(), "'" + v + "' is not a whole number");
      }
      if (parsed < min || parsed > max) {
        throw new ConfigException(s.key(), parsed + " is outside " + min + ".." + max);
      }
      return parsed;
    }

    boolean bool(Setting s) {
      String v = raw(s).toLowerCase(Locale.ROOT);
      return switch (v) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new ConfigException(s.key(), "'" + v + "' is not true or false");
      };
    }

    <E extends Enum<E>> E choice(Setting s, Class<E> type) {
      String v = raw(s);
      try {
        return Enum.valueOf(type, v.toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        StringBuilder allowed = new StringBuilder();
        for (E c : type.getEnumConstants()) {
          allowed.append(allowed.length() == 0 ? "" : ", ")
              .append(c.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw new ConfigException(s.key(), "'" + v + "' is not one of " + allowed);
      }
    }
  }
}
