package org.ferrymq.ra;

import org.ferrymq.api.MqttMessage;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.UserProperty;

/**
 * Converts between the applications' {@link MqttMessage} and the broker's {@link Message}. The
 * broker keeps an expiry as a deadline, not as a property, as it does for network publishers;
 * a delivered message carries the interval that remains of it. Public for the tests over a real
 * socket (org.ferrymq.clients); stateless.
 */
public final class ApiMessages {

  private ApiMessages() {
  }

  /** @return the broker message for an in-process publish at {@code nowMillis} */
  public static Message toBroker(MqttMessage m, long nowMillis) {
    Properties.Builder props = Properties.builder();
    m.userProperties().forEach(p -> props.userProperty(p.name(), p.value()));
    m.contentType().ifPresent(v -> props.put(Property.CONTENT_TYPE, v));
    m.responseTopic().ifPresent(v -> props.put(Property.RESPONSE_TOPIC, v));
    m.correlationData().ifPresent(v -> props.put(Property.CORRELATION_DATA, v));
    long expiresAt = m.messageExpiryInterval().isPresent()
        ? nowMillis + m.messageExpiryInterval().getAsLong() * 1000 : 0;
    return new Message(m.topic(), m.payload(), QoS.of(m.qos()), m.retained(), props.build(),
        expiresAt, "");
  }

  /** @return the application's view of a delivery of {@code m} at {@code qos} */
  public static MqttMessage toApi(Message m, QoS qos, long nowMillis) {
    Properties props = m.properties();
    MqttMessage.Builder b = MqttMessage.builder(m.topic()).payload(m.payload())
        .qos(qos.value()).retained(m.retain())
        .contentType(props.getString(Property.CONTENT_TYPE))
        .responseTopic(props.getString(Property.RESPONSE_TOPIC))
        .correlationData(props.getBytes(Property.CORRELATION_DATA));
    for (UserProperty p : props.userProperties()) {
      b.userProperty(p.name(), p.value());
    }
    long remaining = m.remainingExpirySeconds(nowMillis);
    if (remaining >= 0) {
      b.messageExpiryInterval(remaining);
    }
    return b.build();
  }
}
