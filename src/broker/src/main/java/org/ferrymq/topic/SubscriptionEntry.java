package org.ferrymq.topic;

import java.util.Objects;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.packet.Subscription;

/**
 * One stored subscription of one client. Immutable and validated at construction.
 *
 * @param clientId the subscribing client
 * @param filter the plain topic filter, without a {@code $share/<name>/} prefix
 * @param shareName the share name of a shared subscription, {@code null} for a non-shared one
 * @param maxQos the maximum QoS granted for this subscription
 * @param noLocal MQTT 5 No Local option
 * @param retainAsPublished MQTT 5 Retain As Published option
 * @param retainHandling MQTT 5 Retain Handling option
 * @param subscriptionIdentifier MQTT 5 subscription identifier, 0 for none
 */
public record SubscriptionEntry(String clientId, String filter, String shareName, QoS maxQos,
    boolean noLocal, boolean retainAsPublished, RetainHandling retainHandling,
    int subscriptionIdentifier) {

  /** Largest subscription identifier: the maximum of a Variable Byte Integer (MQTT 5 3.8.2.1.2). */
  public static final int MAX_SUBSCRIPTION_IDENTIFIER = 268_435_455;

  /**
   * Validates the components.
   *
   * @throws IllegalArgumentException if the filter is invalid or carries a {@code $share} prefix,
   *     the share name is invalid or the subscription identifier is out of range
   */
  public SubscriptionEntry {
    Objects.requireNonNull(clientId, "clientId");
    Topics.requireValidFilter(filter);
    if (Topics.isShared(filter)) {
      throw new IllegalArgumentException(
          "filter must be the plain filter; the share name goes into shareName: " + filter);
    }
    if (shareName != null && (shareName.isEmpty() || shareName.indexOf('/') >= 0
        || shareName.indexOf('+') >= 0 || shareName.indexOf('#') >= 0)) {
      throw new IllegalArgumentException("[MQTT-4.8.2-2] invalid share name: " + shareName);
    }
    Objects.requireNonNull(maxQos, "maxQos");
    Objects.requireNonNull(retainHandling, "retainHandling");
    if (subscriptionIdentifier < 0 || subscriptionIdentifier > MAX_SUBSCRIPTION_IDENTIFIER) {
      throw new IllegalArgumentException(
          "subscription identifier out of range: " + subscriptionIdentifier);
    }
  }

  /**
   * Creates the entry for one filter of a SUBSCRIBE, splitting {@code $share/<name>/<filter>}.
   *
   * @param clientId the subscribing client
   * @param subscription the filter and options as received
   * @param subscriptionIdentifier the SUBSCRIBE's subscription identifier, 0 for none
   * @return the entry
   */
  public static SubscriptionEntry of(String clientId, Subscription subscription,
      int subscriptionIdentifier) {
    String filter = subscription.filter();
    String shareName = null;
    if (Topics.isShared(filter)) {
      int slash = filter.indexOf('/', Topics.SHARE_PREFIX.length());
      shareName = filter.substring(Topics.SHARE_PREFIX.length(), slash);
      filter = filter.substring(slash + 1);
    }
    return new SubscriptionEntry(clientId, filter, shareName, subscription.maxQos(),
        subscription.noLocal(), subscription.retainAsPublished(), subscription.retainHandling(),
        subscriptionIdentifier);
  }

  /** @return whether this is a shared subscription */
  public boolean isShared() {
    return shareName != null;
  }

  /** @return the filter as the client sent it, including a {@code $share/<name>/} prefix */
  public String fullFilter() {
    return shareName == null ? filter : Topics.SHARE_PREFIX + shareName + '/' + filter;
  }
}
