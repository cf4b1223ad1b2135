package org.ferrymq.ra;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.api.MqttDelivery;
import org.ferrymq.api.MqttDeliveryListener;
import org.ferrymq.api.MqttMessage;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;

/**
 * One delivery of an API subscription ({@link ApiSubscriptions}). Acknowledging it acknowledges
 * the broker's delivery; rejecting it hands the same message to the listener again after the
 * policy's delay (the broker's delivery stays unacknowledged meanwhile, so a restart does not
 * lose it), and after the last redelivery publishes it to the dead-letter topic and
 * acknowledges it, as for a message-driven bean ({@link EndpointActivation}). The first call to
 * either counts; the delay runs on the JDK's delayed executor, never on a broker thread.
 */
final class ApiDelivery implements MqttDelivery {

  private static final Logger LOG = Logger.getLogger(ApiDelivery.class.getName());

  /** What every delivery of one subscription shares. */
  record Source(MqttBroker broker, MqttDeliveryListener listener, RedeliveryPolicy policy,
      String consumer, BooleanSupplier closed) {
  }

  private final Source source;
  private final Message message;
  private final QoS qos;
  private final boolean redelivered;
  private final Runnable acknowledgement;
  private final int attempt;
  private final AtomicBoolean settled = new AtomicBoolean();

  ApiDelivery(Source source, Message message, QoS qos, boolean redelivered,
      Runnable acknowledgement, int attempt) {
    this.source = source;
    this.message = message;
    this.qos = qos;
    this.redelivered = redelivered;
    this.acknowledgement = acknowledgement;
    this.attempt = attempt;
  }

  /** @return a QoS 0 delivery: nothing to acknowledge, and a rejection is only logged */
  static MqttDelivery atMostOnce(MqttMessage message) {
    return new MqttDelivery() {
      @Override
      public MqttMessage message() {
        return message;
      }

      @Override
      public boolean redelivered() {
        return false;
      }

      /** QoS 0: the broker keeps nothing to forget. */
      @Override
      public void acknowledge() {
      }

      @Override
      public void reject(Throwable cause) {
        LOG.log(Level.WARNING, "A QoS 0 message on '" + message.topic()
            + "' was rejected; it is not delivered again", cause);
      }
    };
  }

  @Override
  public MqttMessage message() {
    return ApiSubscriptions.toApi(message, qos);
  }

  @Override
  public boolean redelivered() {
    return redelivered || attempt > 1;
  }

  @Override
  public void acknowledge() {
    if (settled.compareAndSet(false, true)) {
      acknowledgement.run();
    }
  }

  @Override
  public void reject(Throwable cause) {
    if (!settled.compareAndSet(false, true)) {
      return;
    }
    RedeliveryPolicy policy = source.policy();
    LOG.log(Level.WARNING, "Delivery " + attempt + " of a message on '" + message.topic()
        + "' to " + source.consumer() + " was rejected", cause);
    if (attempt > policy.maxRedeliveries()) {
      if (DeadLetters.publish(source.broker(), message, policy.deadLetterTopic(), attempt,
          source.consumer())) {
        acknowledgement.run();
      }
      return;
    }
    ApiDelivery again = new ApiDelivery(source, message, qos, true, acknowledgement,
        attempt + 1);
    CompletableFuture.delayedExecutor(policy.delayMillis(), TimeUnit.MILLISECONDS).execute(() -> {
      // A closed subscription leaves the message unacknowledged: its session has it again
      if (!source.closed().getAsBoolean()) {
        source.listener().onDelivery(again);
      }
    });
  }
}
