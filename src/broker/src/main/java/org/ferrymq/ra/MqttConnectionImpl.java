package org.ferrymq.ra;

import org.ferrymq.api.MqttConnection;
import org.ferrymq.api.MqttDeliveryListener;
import org.ferrymq.api.MqttMessage;
import org.ferrymq.api.MqttSubscription;
import org.ferrymq.api.MqttSubscriptionOptions;
import org.ferrymq.engine.MqttBroker;

/** A connection handle; publishing goes straight to the running broker. */
final class MqttConnectionImpl implements MqttConnection {

  private volatile FerryManagedConnection managed;

  MqttConnectionImpl(FerryManagedConnection managed) {
    this.managed = managed;
  }

  void associate(FerryManagedConnection newManaged) {
    this.managed = newManaged;
  }

  void invalidate() {
    this.managed = null;
  }

  @Override
  public void publish(MqttMessage message) {
    broker().publish(ApiMessages.toBroker(message, System.currentTimeMillis()));
  }

  @Override
  public MqttSubscription subscribe(MqttSubscriptionOptions options,
      MqttDeliveryListener listener) {
    return ApiSubscriptions.subscribe(broker(), options, listener);
  }

  private MqttBroker broker() {
    if (managed == null) {
      throw new IllegalStateException("The FerryMQ connection is closed");
    }
    return BrokerRuntime.current().map(BrokerRuntime.Running::broker)
        .orElseThrow(() -> new IllegalStateException("The FerryMQ broker is not running"));
  }

  @Override
  public void close() {
    FerryManagedConnection m = managed;
    if (m != null) {
      managed = null;
      m.handleClosed(this);
    }
  }
}
