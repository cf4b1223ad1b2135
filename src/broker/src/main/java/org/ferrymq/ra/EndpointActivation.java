package org.ferrymq.ra;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkManager;
import java.lang.reflect.Method;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.api.MqttMessage;
import org.ferrymq.api.MqttMessageListener;
import org.ferrymq.engine.LocalSubscription;
import org.ferrymq.message.Message;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.packet.QoS;

/**
 * One active message-driven bean: a broker subscription whose messages are delivered to bean
 * instances on short work items, in arrival order.
 *
 * <p>The broker calls the subscription listener on a session lane, which must never wait for a
 * bean; messages are therefore queued (bounded, drops counted and logged) and drained by at most
 * one work item at a time, which keeps per-publisher order. A delivery whose {@code onMessage}
 * throws is repeated after the spec's redelivery delay, up to its redelivery count, and the
 * message then goes to the dead-letter topic ({@link DeliveryAttempts}, {@link DeadLetters}).
 * Thread-safe.
 */
final class EndpointActivation implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(EndpointActivation.class.getName());
  private static final int QUEUE_CAPACITY = 10_000;
  private static final Method ON_MESSAGE;

  static {
    try {
      ON_MESSAGE = MqttMessageListener.class.getMethod("onMessage", MqttMessage.class);
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final WorkManager workManager;
  private final MessageEndpointFactory factory;
  private final MqttActivationSpec spec;
  private final BlockingQueue<Message> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong dropped = new AtomicLong();
  private final boolean transacted;
  private final MqttBroker broker;
  private final RedeliveryPolicy policy;
  private final DeliveryAttempts attempts;
  private volatile LocalSubscription subscription;

  private EndpointActivation(MqttBroker broker, WorkManager workManager,
      MessageEndpointFactory factory, MqttActivationSpec spec) throws ResourceException {
    this.broker = broker;
    this.workManager = workManager;
    this.factory = factory;
    this.spec = spec;
    this.policy = spec.redeliveryPolicy(factory.getActivationName());
    this.attempts = new DeliveryAttempts(policy, Thread::sleep, closed::get);
    try {
      this.transacted = factory.isDeliveryTransacted(ON_MESSAGE);
    } catch (NoSuchMethodException e) {
      throw new ResourceException("The endpoint does not implement MqttMessageListener", e);
    }
  }

  /** Subscribes for the endpoint and starts delivering. */
  static EndpointActivation start(MqttBroker broker, WorkManager workManager,
      MessageEndpointFactory factory, MqttActivationSpec spec) throws ResourceException {
    EndpointActivation activation = new EndpointActivation(broker, workManager, factory, spec);
    activation.subscription =
        broker.subscribe(spec.getTopicFilter(), QoS.of(spec.getQos()), activation::enqueue);
    LOG.info(() -> "FerryMQ delivers '" + spec.getTopicFilter() + "' at QoS " + spec.getQos()
        + " to " + factory.getActivationName() + "; failed messages are redelivered "
        + activation.policy.maxRedeliveries() + " times, then published to '"
        + activation.policy.deadLetterTopic() + "'");
    return activation;
  }

  private void enqueue(Message message) {
    if (closed.get()) {
      return;
    }
    if (!queue.offer(message)) {
      long count = dropped.incrementAndGet();
      if (Long.bitCount(count) == 1) {
        LOG.warning(() -> factory.getActivationName() + " is too slow: " + count
            + " messages dropped so far");
      }
      return;
    }
    scheduleDrain();
  }

  private void scheduleDrain() {
    if (queue.isEmpty() || closed.get() || !draining.compareAndSet(false, true)) {
      return;
    }
    try {
      workManager.scheduleWork(new DrainWork());
    } catch (WorkException e) {
      draining.set(false);
      LOG.log(Level.WARNING, "Cannot schedule delivery to " + factory.getActivationName(), e);
    }
  }

  private void drain() {
    try {
      Message message;
      while (!closed.get() && (message = queue.poll()) != null) {
        deliver(message);
      }
    } finally {
      draining.set(false);
    }
    scheduleDrain();
  }

  private void deliver(Message message) {
    MqttMessage delivered = ApiMessages.toApi(message,
        QoS.min(message.qos(), QoS.of(spec.getQos())), System.currentTimeMillis());
    DeliveryAttempts.Outcome outcome = attempts.run(n -> deliverOnce(delivered),
        (n, e) -> LOG.log(Level.WARNING, "Delivery " + n + " of a message on '" + message.topic()
            + "' to " + factory.getActivationName() + " failed", e));
    if (outcome == DeliveryAttempts.Outcome.FAILED) {
      deadLetter(message, policy.maxRedeliveries() + 1);
    } else if (outcome == DeliveryAttempts.Outcome.ABANDONED) {
      LOG.warning(() -> "A message on '" + message.topic() + "' was not delivered to "
          + factory.getActivationName() + ": the activation ended before a delivery succeeded");
    }
  }

  private void deadLetter(Message message, int attemptCount) {
    try {
      broker.publish(DeadLetters.of(message, policy.deadLetterTopic(), attemptCount));
      LOG.warning(() -> "A message on '" + message.topic() + "' failed " + attemptCount
          + " deliveries to " + factory.getActivationName() + "; published to '"
          + policy.deadLetterTopic() + "'");
    } catch (IllegalStateException e) {
      LOG.log(Level.SEVERE, "A message on '" + message.topic() + "' failed every delivery to "
          + factory.getActivationName() + " and cannot be dead-lettered", e);
    }
  }

  private void deliverOnce(MqttMessage message) throws ResourceException,
      NoSuchMethodException {
    MessageEndpoint endpoint = factory.createEndpoint(null);
    try {
      if (transacted) {
        endpoint.beforeDelivery(ON_MESSAGE);
      }
      try {
        ((MqttMessageListener) endpoint).onMessage(message);
      } finally {
        if (transacted) {
          endpoint.afterDelivery();
        }
      }
    } finally {
      endpoint.release();
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      LocalSubscription s = subscription;
      if (s != null) {
        s.close();
      }
      queue.clear();
    }
  }

  private final class DrainWork implements Work {
    @Override
    public void run() {
      drain();
    }

    @Override
    public void release() {
      close();
    }
  }
}
