package org.ferrymq.ra;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.UnavailableException;
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
 * one work item at a time, which keeps per-publisher order. Thread-safe.
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
  private volatile LocalSubscription subscription;

  private EndpointActivation(WorkManager workManager, MessageEndpointFactory factory,
      MqttActivationSpec spec) throws ResourceException {
    this.workManager = workManager;
    this.factory = factory;
    this.spec = spec;
    try {
      this.transacted = factory.isDeliveryTransacted(ON_MESSAGE);
    } catch (NoSuchMethodException e) {
      throw new ResourceException("The endpoint does not implement MqttMessageListener", e);
    }
  }

  /** Subscribes for the endpoint and starts delivering. */
  static EndpointActivation start(MqttBroker broker, WorkManager workManager,
      MessageEndpointFactory factory, MqttActivationSpec spec) throws ResourceException {
    EndpointActivation activation = new EndpointActivation(workManager, factory, spec);
    activation.subscription =
        broker.subscribe(spec.getTopicFilter(), QoS.of(spec.getQos()), activation::enqueue);
    LOG.info(() -> "FerryMQ delivers '" + spec.getTopicFilter() + "' at QoS " + spec.getQos()
        + " to " + factory.getActivationName());
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
    MessageEndpoint endpoint;
    try {
      endpoint = factory.createEndpoint(null);
    } catch (UnavailableException e) {
      LOG.log(Level.WARNING, "Endpoint " + factory.getActivationName() + " unavailable", e);
      return;
    }
    try {
      if (transacted) {
        endpoint.beforeDelivery(ON_MESSAGE);
      }
      try {
        ((MqttMessageListener) endpoint).onMessage(ApiMessages.toApi(message,
            QoS.min(message.qos(), QoS.of(spec.getQos())), System.currentTimeMillis()));
      } finally {
        if (transacted) {
          endpoint.afterDelivery();
        }
      }
    } catch (ResourceException | NoSuchMethodException | RuntimeException e) {
      LOG.log(Level.WARNING, "Delivery of a message on '" + message.topic() + "' to "
          + factory.getActivationName() + " failed", e);
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
