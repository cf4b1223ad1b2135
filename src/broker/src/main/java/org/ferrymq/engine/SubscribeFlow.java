package org.ferrymq.engine;

import java.util.ArrayList;
import java.util.List;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.packet.SubAck;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;
import org.ferrymq.packet.UnsubAck;
import org.ferrymq.packet.Unsubscribe;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.topic.SubscriptionEntry;
import org.ferrymq.topic.Topics;

/** SUBSCRIBE and UNSUBSCRIBE: capability and permission checks, the index, retained replay. */
final class SubscribeFlow {
  private SubscribeFlow() {
  }

  static void onSubscribe(ConnectionHandler h, Subscribe sub) {
    BrokerConfig config = h.core().config;
    Session s = h.session();
    List<Integer> ids = sub.properties().subscriptionIdentifiers();
    int subscriptionId = ids.isEmpty() ? 0 : ids.get(0);
    List<ReasonCode> codes = new ArrayList<>(sub.subscriptions().size());
    List<SubscriptionEntry> replay = new ArrayList<>();
    for (Subscription requested : sub.subscriptions()) {
      ReasonCode refusal = check(h, requested, subscriptionId, config);
      if (refusal != null) {
        codes.add(refusal);
        continue;
      }
      QoS granted = QoS.min(requested.maxQos(), QoS.of(config.maximumQos()));
      Subscription effective = new Subscription(requested.filter(), granted, requested.noLocal(),
          requested.retainAsPublished(), requested.retainHandling());
      SubscriptionEntry entry = SubscriptionEntry.of(s.clientId(), effective, subscriptionId);
      if (!s.hasSubscription(entry.fullFilter())
          && s.subscriptionCount() >= config.maxSubscriptionsPerClient()) {
        // A replaced subscription is never refused; a new one past the cap is, the others kept
        h.core().quotaRefusals.refused(QuotaCap.SUBSCRIPTIONS, s.clientId(), () -> "subscription to '"
            + requested.filter() + "' refused with Quota exceeded, "
            + config.maxSubscriptionsPerClient() + " subscriptions held");
        codes.add(ReasonCode.QUOTA_EXCEEDED);
        continue;
      }
      boolean isNew = h.core().index.subscribe(entry);
      s.subscribed(entry);
      codes.add(ReasonCode.granted(granted));
      // [MQTT-3.3.1-10]..[MQTT-3.3.1-11]; retained messages are not sent for shared subscriptions
      boolean sendRetained = entry.shareName() == null
          && (requested.retainHandling() == RetainHandling.SEND_ON_SUBSCRIBE
          || (requested.retainHandling() == RetainHandling.SEND_IF_NEW_SUBSCRIPTION && isNew));
      if (sendRetained) {
        replay.add(entry);
      }
    }
    s.persist();
    h.send(new SubAck(sub.packetId(), codes, Properties.EMPTY));
    for (SubscriptionEntry entry : replay) {
      List<Integer> entryIds = entry.subscriptionIdentifier() > 0
          ? List.of(entry.subscriptionIdentifier()) : List.of();
      h.core().retained.forEachMatching(entry.filter(), (topic, m) ->
          // [MQTT-3.3.1-8] retained messages are sent with RETAIN set; into the outbox directly,
          // as a fresh send a session that moved here a moment ago must not take for a copy
          s.outbox().deliver(m, QoS.min(m.qos(), entry.maxQos()), true, entryIds, null,
              Admission.NONE));
    }
  }

  private static ReasonCode check(ConnectionHandler h, Subscription requested, int subscriptionId,
      BrokerConfig config) {
    String filter = requested.filter();
    boolean shared = Topics.isShared(filter);
    if (shared && !config.sharedSubscriptions()) {
      return ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED;
    }
    if (Topics.hasWildcard(filter) && !config.wildcardSubscriptions()) {
      return ReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED;
    }
    if (subscriptionId > 0 && !config.subscriptionIdentifiers()) {
      return ReasonCode.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED;
    }
    if (filter.length() > config.maxTopicLength() || levels(filter) > config.maxTopicLevels()) {
      return ReasonCode.TOPIC_FILTER_INVALID;
    }
    if (!h.core().authorizer.canSubscribe(h.identity(), filter)) {
      return ReasonCode.NOT_AUTHORIZED;
    }
    return null;
  }

  private static int levels(String filter) {
    int levels = 1;
    for (int i = 0; i < filter.length(); i++) {
      if (filter.charAt(i) == '/') {
        levels++;
      }
    }
    return levels;
  }

  static void onUnsubscribe(ConnectionHandler h, Unsubscribe unsub) {
    Session s = h.session();
    List<ReasonCode> codes = new ArrayList<>(unsub.filters().size());
    for (String filter : unsub.filters()) {
      boolean existed = h.core().index.unsubscribe(s.clientId(), filter);
      s.unsubscribed(filter);
      codes.add(existed ? ReasonCode.SUCCESS : ReasonCode.NO_SUBSCRIPTION_EXISTED);
      if (existed && Topics.isShared(filter)) {
        for (StoredDelivery d : s.outbox().takeShared(filter)) {
          h.core().router.redistribute(d.message(), filter, s.clientId());
        }
      }
    }
    s.persist();
    h.send(new UnsubAck(unsub.packetId(), codes, Properties.EMPTY));
  }
}
