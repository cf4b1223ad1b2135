package org.ferrymq.example;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.ferrymq.api.MqttMessage;

/**
 * Example of a Reactive Messaging bean consuming MQTT in-process: the channel {@code sensors}
 * (connector {@code ferrymq}, topic {@code sensors/+/temp}, see microprofile-config.properties).
 * The payload is the whole MQTT message, MQTT 5 properties included; the message is acknowledged
 * to the broker once this method returned (a thrown exception nacks it: redelivery, then the
 * dead-letter topic). It keeps the last readings for {@code /example/readings}.
 */
@ApplicationScoped
public class SensorReadings {

  private static final Logger LOG = Logger.getLogger(SensorReadings.class.getName());
  private static final int CAPACITY = 100;
  private final ArrayDeque<MqttMessage> last = new ArrayDeque<>();

  @Incoming("sensors")
  public void consume(MqttMessage reading) {
    LOG.info(() -> "Reading on " + reading.topic() + ": "
        + new String(reading.payload(), StandardCharsets.UTF_8) + " " + reading.userProperties());
    synchronized (last) {
      if (last.size() == CAPACITY) {
        last.removeFirst();
      }
      last.addLast(reading);
    }
  }

  /** @return the last readings, oldest first */
  public List<MqttMessage> last() {
    synchronized (last) {
      return new ArrayList<>(last);
    }
  }
}
