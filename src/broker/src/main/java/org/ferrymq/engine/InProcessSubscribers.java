package org.ferrymq.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.Subscription;
import org.ferrymq.topic.SubscriptionEntry;

/**
 * The in-process subscribers of this broker, apart from the session registry. Their keys in
 * the subscription index begin with U+0000, which no MQTT string may contain [MQTT-1.5.4-2] and
 * the codec refuses in every CONNECT: no network client id can equal one, so no client can
 * take over, end or share the entries of an in-process subscriber, whatever id it picks
 * ({@code $local-1}, the form these keys had before, is an ordinary client id now). Node-local
 * by nature: a cluster's session registry never sees them. Thread-safe.
 */
final class InProcessSubscribers {
  /** First character of every in-process key; never in a decoded MQTT string. */
  static final char KEY_MARK = '\u0000';
  private static final String KEY_PREFIX = KEY_MARK + "in-process-";

  private final Map<String, InProcessSubscriber> byKey = new ConcurrentHashMap<>();
  private final AtomicLong keys = new AtomicLong();

  /**
   * @return whether the index key names an in-process subscriber or a cluster peer ({@link
   *     PeerKey}) rather than a session
   */
  static boolean isInProcessKey(String key) {
    return !key.isEmpty() && key.charAt(0) == KEY_MARK;
  }

  /** @return a key no other subscriber, in process or on the network, has */
  private String newKey() {
    return KEY_PREFIX + keys.incrementAndGet();
  }

  /** Subscribes an in-process listener ({@link MqttBroker#subscribe}). */
  LocalSubscription subscribe(BrokerCore core, String filter, QoS maxQos,
      Consumer<Message> listener) {
    String key = newKey();
    Lane lane = core.laneFor(key);
    InProcessSubscriber subscriber = new InProcessSubscriber(key, filter, lane, listener, core);
    add(subscriber);
    core.index.subscribe(SubscriptionEntry.of(key, new Subscription(filter, maxQos), 0));
    return new ClosingSubscription(filter, () -> lane.execute(() -> {
      core.index.unsubscribeAll(key);
      remove(subscriber);
    }));
  }

  private void add(InProcessSubscriber s) {
    byKey.put(s.key(), s);
  }

  InProcessSubscriber get(String key) {
    return byKey.get(key);
  }

  private void remove(InProcessSubscriber s) {
    byKey.remove(s.key(), s);
  }

  int size() {
    return byKey.size();
  }

  /** @return the keys in use now, for diagnostics and tests */
  java.util.Set<String> keys() {
    return java.util.Set.copyOf(byKey.keySet());
  }
}
