package org.ferrymq.ra;

import org.ferrymq.api.MqttConnection;
import org.ferrymq.api.MqttMessage;
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
    if (managed == null) {
      throw new IllegalStateException("The FerryMQ connection is closed");
    }
    MqttBroker broker = BrokerRuntime.current().map(BrokerRuntime.Running::broker)
        .orElseThrow(() -> new IllegalStateException("The FerryMQ broker is not running"));
    broker.publish(ApiMessages.toBroker(message, System.currentTimeMillis()));
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
