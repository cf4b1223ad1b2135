package org.ferrymq.example;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.ferrymq.api.MqttMessage;

/**
 * Example of publishing through Reactive Messaging: an {@link Emitter} on the channel {@code
 * orders} (connector {@code ferrymq}, see microprofile-config.properties). An {@link MqttMessage}
 * payload carries its own topic and MQTT 5 properties; any other payload goes to the channel's
 * topic ({@code orders/created}).
 */
@ApplicationScoped
public class OrderEvents {

  @Inject
  @Channel("orders")
  Emitter<MqttMessage> orders;

  /**
   * Publishes that an order was created, with a user property and the request's correlation
   * data so that a requester can match the event to its request.
   *
   * @return completes once the broker took the message
   */
  public CompletionStage<Void> created(String orderId, byte[] correlationData) {
    return orders.send(MqttMessage.builder("orders/created")
        .payload(orderId.getBytes(StandardCharsets.UTF_8))
        .qos(1)
        .contentType("text/plain")
        .userProperty("source", "ferrymq-example")
        .correlationData(correlationData)
        .build());
  }
}
