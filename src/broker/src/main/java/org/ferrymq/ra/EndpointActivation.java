package org.ferrymq.ra;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkManager;
import java.lang.reflect.Method;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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
 * <p>At QoS 1 or 2 the subscription is a persistent session of the broker named after the
 * activation ({@link MqttBroker#attachSession}): it keeps the bean's messages while the
 * application is stopped, and in the store across server restarts. A message is acknowledged to
 * the session only once {@code onMessage} returned or the message was dead-lettered; the
 * session hands over at most {@code receiveMaximum} unacknowledged messages and queues the rest,
 * slowing the publishers when its queue is full, as for a slow network client. At QoS 0 the
 * bean is a plain in-process subscriber: at most once, its backlog here bounded (drops counted
 * and logged).
 *
 * <p>The broker calls the listener on a session lane, which must never wait for a bean; messages
 * are therefore queued here and drained by at most one work item at a time, which keeps
 * per-publisher order. A delivery whose {@code onMessage} throws is repeated after the spec's
 * redelivery delay, up to its redelivery count, and the message then goes to the dead-letter
 * topic ({@link DeliveryAttempts}, {@link DeadLetters}). Thread-safe.
 */
final class EndpointActivation implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(EndpointActivation.class.getName());
  /** Bound of the QoS 0 backlog; QoS 1/2 is bounded by the session's receive maximum. */
  private static final int QUEUE_CAPACITY = 10_000;
  private static final Runnable NO_ACKNOWLEDGEMENT = () -> { };
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
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
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
    String session = sessionName(factory.getActivationName());
    if (spec.getQos() == 0) {
      // A bean moved to QoS 0 keeps no session: what its former one held is not for it now
      broker.endSession(session);
      activation.subscription = broker.subscribe(spec.getTopicFilter(), QoS.AT_MOST_ONCE,
          m -> activation.enqueue(new Pending(m, QoS.AT_MOST_ONCE, NO_ACKNOWLEDGEMENT)));
    } else {
      activation.subscription = broker.attachSession(session, spec.getTopicFilter(),
          QoS.of(spec.getQos()), spec.getReceiveMaximum(),
          d -> activation.enqueue(new Pending(d.message(), d.qos(), d::acknowledge)));
    }
    LOG.info(() -> "FerryMQ delivers '" + spec.getTopicFilter() + "' at QoS " + spec.getQos()
        + " to " + factory.getActivationName()
        + (spec.getQos() == 0 ? "" : " through the persistent session '" + session + "'")
        + "; failed messages are redelivered " + activation.policy.maxRedeliveries()
        + " times, then published to '" + activation.policy.deadLetterTopic() + "'");
    return activation;
  }

  /**
   * @param activationName the container's name, e.g. {@code app#module.war#Bean}: stable
   *     across application and server restarts
   * @return the name of the activation's broker session, e.g. {@code app/module.war/Bean}
   */
  static String sessionName(String activationName) {
    return activationName.replace('#', '/');
  }

  /** A message waiting for the bean, and how to acknowledge it to the broker once done. */
  private record Pending(Message message, QoS qos, Runnable acknowledgement) {
  }

  private void enqueue(Pending pending) {
    if (closed.get()) {
      // Not acknowledged: a session hands it over again on the next activation
      return;
    }
    if (pending.qos() == QoS.AT_MOST_ONCE && queue.size() >= QUEUE_CAPACITY) {
      long count = dropped.incrementAndGet();
      if (Long.bitCount(count) == 1) {
        LOG.warning(() -> factory.getActivationName() + " is too slow: " + count
            + " QoS 0 messages dropped so far");
      }
      return;
    }
    queue.add(pending);
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
      Pending pending;
      while (!closed.get() && (pending = queue.poll()) != null) {
        if (deliver(pending.message(), pending.qos())) {
          pending.acknowledgement().run();
        }
      }
    } finally {
      draining.set(false);
    }
    scheduleDrain();
  }

  /** @return whether the message is done with: processed, or on the dead-letter topic */
  private boolean deliver(Message message, QoS qos) {
    MqttMessage delivered = ApiMessages.toApi(message, qos, System.currentTimeMillis());
    DeliveryAttempts.Outcome outcome = attempts.run(n -> deliverOnce(delivered),
        (n, e) -> LOG.log(Level.WARNING, "Delivery " + n + " of a message on '" + message.topic()
            + "' to " + factory.getActivationName() + " failed", e));
    if (outcome == DeliveryAttempts.Outcome.FAILED) {
      return DeadLetters.publish(broker, message, policy.deadLetterTopic(),
          policy.maxRedeliveries() + 1, factory.getActivationName());
    }
    if (outcome == DeliveryAttempts.Outcome.ABANDONED) {
      LOG.warning(() -> "A message on '" + message.topic() + "' was not delivered to "
          + factory.getActivationName() + ": the activation ended before a delivery succeeded"
          + (qos == QoS.AT_MOST_ONCE ? "" : "; its session hands it over again on the next"));
      return false;
    }
    return true;
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
