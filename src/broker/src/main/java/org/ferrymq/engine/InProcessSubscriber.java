package org.ferrymq.engine;

import java.util.List;
import java.util.function.Consumer;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;

/**
 * A subscriber inside the broker's JVM ({@link MqttBroker#subscribe}: the resource adapter's
 * message endpoints, the in-process connection factory). It has no session: nothing is queued,
 * stored or acknowledged, every message goes straight to its listener on its lane, and it is
 * never expired, taken over or listed among the clients.
 */
final class InProcessSubscriber implements DeliveryTarget {
  private final String key;
  private final String filter;
  private final Lane lane;
  private final Consumer<Message> listener;
  private final BrokerCore core;

  InProcessSubscriber(String key, String filter, Lane lane, Consumer<Message> listener,
      BrokerCore core) {
    this.key = key;
    this.filter = filter;
    this.lane = lane;
    this.listener = listener;
    this.core = core;
  }

  @Override
  public String key() {
    return key;
  }

  @Override
  public Lane lane() {
    return lane;
  }

  @Override
  public void deliver(Message m, QoS qos, boolean retain, List<Integer> subscriptionIds,
      String sharedFilter, Admission admission) {
    if (m.isExpired(core.clock.millis())) {
      core.metrics.on(lane).dropped(DropReason.EXPIRED);
    } else {
      core.metrics.on(lane).published(qos, m.arrivedAtNanos());
      listener.accept(retain == m.retain() ? m : m.withRetain(retain));
    }
    admission.admitted();
  }

  /** The application subscribed in the broker's own name: no ACL applies. */
  @Override
  public boolean mayRead(String topic) {
    return true;
  }

  @Override
  public boolean isOnline() {
    return true;
  }

  @Override
  public int load() {
    return 0;
  }

  @Override
  public String toString() {
    return "in-process subscriber " + key.substring(1) + " of '" + filter + "'";
  }
}
