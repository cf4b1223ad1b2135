package org.ferrymq.reactive;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Logger;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.ferrymq.api.MqttDelivery;
import org.ferrymq.api.MqttDeliveryListener;
import org.ferrymq.api.MqttMessage;
import org.ferrymq.api.MqttSubscription;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * An incoming channel as a Reactive Streams publisher of {@code Message<MqttMessage>}: it
 * subscribes in-process when its one subscriber arrives and emits deliveries as the subscriber
 * requests them. Acknowledging a message acknowledges the delivery to the broker; a nack
 * rejects it (redelivery, then the dead-letter topic). At QoS 1/2 the broker hands over at most
 * the channel's receive maximum before acknowledgements come back, so the backlog here is
 * bounded and a slow consumer slows the publishers; QoS 0 deliveries past {@link
 * #QOS0_BACKLOG} are dropped and logged.
 *
 * <p>The broker hands deliveries over on its own threads, which serve network clients too and
 * must never run application code: the subscriber's {@code onNext} (and with it the {@code
 * @Incoming} method) runs on the channel's {@code emitter} instead. Thread-safe; emission is
 * serialised by a work-in-progress counter as Reactive Streams requires (rule 1.3).
 */
final class IncomingChannel implements Publisher<Message<MqttMessage>> {

  private static final Logger LOG = Logger.getLogger(IncomingChannel.class.getName());
  static final int QOS0_BACKLOG = 10_000;

  private final String name;
  private final Function<MqttDeliveryListener, MqttSubscription> subscribe;
  private final Executor emitter;
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private final Queue<MqttDelivery> backlog = new ConcurrentLinkedQueue<>();
  private final AtomicInteger backlogSize = new AtomicInteger();
  private final AtomicLong demand = new AtomicLong();
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean cancelled;
  private volatile MqttSubscription subscription;
  private volatile Subscriber<? super Message<MqttMessage>> downstream;

  /**
   * @param name the channel, for the log
   * @param subscribe makes the in-process subscription for a listener
   * @param emitter where the subscriber is called
   */
  IncomingChannel(String name, Function<MqttDeliveryListener, MqttSubscription> subscribe,
      Executor emitter) {
    this.name = name;
    this.subscribe = subscribe;
    this.emitter = emitter;
  }

  @Override
  public void subscribe(Subscriber<? super Message<MqttMessage>> subscriber) {
    if (!subscribed.compareAndSet(false, true)) {
      subscriber.onSubscribe(new Subscription() {
        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
      });
      subscriber.onError(new IllegalStateException("the ferrymq channel '" + name
          + "' has a subscriber already"));
      return;
    }
    downstream = subscriber;
    subscriber.onSubscribe(new Subscription() {
      @Override
      public void request(long n) {
        if (n <= 0) {
          cancel();
          subscriber.onError(new IllegalArgumentException("rule 3.9: request " + n));
          return;
        }
        demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
        emitter.execute(IncomingChannel.this::drain);
      }

      @Override
      public void cancel() {
        close();
      }
    });
    try {
      subscription = subscribe.apply(this::arrived);
    } catch (RuntimeException e) {
      cancelled = true;
      subscriber.onError(e);
      return;
    }
    if (cancelled) {
      subscription.close();
    }
  }

  /** On a broker thread: queue and emit what the subscriber asked for. */
  private void arrived(MqttDelivery delivery) {
    if (cancelled) {
      // Not acknowledged: the session hands it over again to the next subscription
      return;
    }
    if (delivery.message().qos() == 0 && backlogSize.get() >= QOS0_BACKLOG) {
      long count = dropped.incrementAndGet();
      if (Long.bitCount(count) == 1) {
        LOG.warning(() -> "The ferrymq channel '" + name + "' is too slow: " + count
            + " QoS 0 messages dropped so far");
      }
      return;
    }
    backlog.add(delivery);
    backlogSize.incrementAndGet();
    emitter.execute(this::drain);
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      Subscriber<? super Message<MqttMessage>> s = downstream;
      while (!cancelled && demand.get() > 0) {
        MqttDelivery d = backlog.poll();
        if (d == null) {
          break;
        }
        backlogSize.decrementAndGet();
        if (demand.get() != Long.MAX_VALUE) {
          demand.decrementAndGet();
        }
        s.onNext(toMessage(d));
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  /** @return the Reactive Messaging message: ack and nack settle the broker's delivery */
  static Message<MqttMessage> toMessage(MqttDelivery d) {
    return Message.of(d.message(), () -> {
      d.acknowledge();
      return CompletableFuture.completedFuture(null);
    }, cause -> {
      d.reject(cause);
      return CompletableFuture.completedFuture(null);
    });
  }

  /** Ends the subscription; what was not acknowledged stays with the broker's session. */
  void close() {
    cancelled = true;
    MqttSubscription s = subscription;
    if (s != null) {
      s.close();
    }
    backlog.clear();
    backlogSize.set(0);
  }
}
