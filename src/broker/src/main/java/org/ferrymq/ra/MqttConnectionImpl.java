package org.ferrymq.ra;

import org.ferrymq.message.Message;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.packet.QoS;

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
  public void publish(String topic, byte[] payload, int qos, boolean retained) {
    if (managed == null) {
      throw new IllegalStateException("The FerryMQ connection is closed");
    }
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0, 1 or 2, not " + qos);
    }
    MqttBroker broker = BrokerRuntime.current().map(BrokerRuntime.Running::broker)
        .orElseThrow(() -> new IllegalStateException("The FerryMQ broker is not running"));
    broker.publish(Message.of(topic, payload.clone(), QoS.of(qos), retained));
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
