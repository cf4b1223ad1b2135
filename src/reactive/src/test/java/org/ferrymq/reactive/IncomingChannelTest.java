package org.ferrymq.reactive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.ferrymq.api.MqttDelivery;
import org.ferrymq.api.MqttDeliveryListener;
import org.ferrymq.api.MqttMessage;
import org.ferrymq.api.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The incoming channel's publisher against a recorded in-process subscription: it emits no more
 * than requested, maps ack and nack onto the broker's delivery, and ends the subscription when
 * cancelled. The emitter runs each task at once, so the test sees emissions synchronously;
 * {@link #theSubscriberIsCalledOnTheEmitterNotOnTheDeliveringThread} checks the hand-off.
 */
class IncomingChannelTest {

  private MqttDeliveryListener listener;
  private boolean subscriptionClosed;
  private final IncomingChannel sut = new IncomingChannel("sensors", l -> {
    listener = l;
    return new MqttSubscription() {
      @Override
      public String topicFilter() {
        return "sensors/#";
      }

      @Override
      public void close() {
        subscriptionClosed = true;
      }
    };
  }, Runnable::run);

  /** A delivery that records how it was settled. */
  private static final class RecordedDelivery implements MqttDelivery {
    final MqttMessage message;
    String outcome = "open";

    RecordedDelivery(String payload, int qos) {
      message = MqttMessage.builder("sensors/1").qos(qos)
          .payload(payload.getBytes(StandardCharsets.UTF_8)).build();
    }

    @Override
    public MqttMessage message() {
      return message;
    }

    @Override
    public boolean redelivered() {
      return false;
    }

    @Override
    public void acknowledge() {
      outcome = "acknowledged";
    }

    @Override
    public void reject(Throwable cause) {
      outcome = "rejected: " + cause.getMessage();
    }
  }

  /** Collects what the channel emits; requests only when the test says. */
  private static class Collector implements Subscriber<Message<MqttMessage>> {
    final List<Message<MqttMessage>> received = new ArrayList<>();
    Subscription subscription;
    Throwable error;

    @Override
    public void onSubscribe(Subscription s) {
      subscription = s;
    }

    @Override
    public void onNext(Message<MqttMessage> m) {
      received.add(m);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onComplete() {
    }
  }

  @Test
  void emitsOnlyWhatWasRequestedInArrivalOrder() {
    Collector downstream = new Collector();
    sut.subscribe(downstream);

    // Exercise
    for (int i = 1; i <= 3; i++) {
      listener.onDelivery(new RecordedDelivery("m" + i, 1));
    }
    downstream.subscription.request(2);

    // Verify
    assertEquals(List.of("m1", "m2"), payloads(downstream));
    downstream.subscription.request(5);
    assertEquals(List.of("m1", "m2", "m3"), payloads(downstream));
  }

  @Test
  void ackAndNackSettleTheBrokersDelivery() {
    Collector downstream = new Collector();
    sut.subscribe(downstream);
    downstream.subscription.request(Long.MAX_VALUE);
    RecordedDelivery acked = new RecordedDelivery("ok", 1);
    RecordedDelivery nacked = new RecordedDelivery("bad", 1);
    listener.onDelivery(acked);
    listener.onDelivery(nacked);

    // Exercise
    assertEquals("open", acked.outcome, "nothing settled before the application acks");
    downstream.received.get(0).ack();
    downstream.received.get(1).nack(new IllegalStateException("cannot parse"));

    // Verify
    assertEquals("acknowledged", acked.outcome);
    assertEquals("rejected: cannot parse", nacked.outcome);
  }

  @Test
  void cancellingEndsTheSubscriptionAndASecondSubscriberIsRefused() {
    Collector downstream = new Collector();
    sut.subscribe(downstream);
    Collector second = new Collector();
    sut.subscribe(second);

    // Exercise
    downstream.subscription.cancel();
    listener.onDelivery(new RecordedDelivery("after cancel", 1));
    downstream.subscription.request(1);

    // Verify
    assertTrue(subscriptionClosed);
    assertEquals(List.of(), payloads(downstream));
    assertInstanceOf(IllegalStateException.class, second.error);
  }

  @Test
  void theSubscriberIsCalledOnTheEmitterNotOnTheDeliveringThread() throws Exception {
    java.util.concurrent.ExecutorService emitter = java.util.concurrent.Executors
        .newSingleThreadExecutor(r -> new Thread(r, "emitter"));
    List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
    IncomingChannel channel = new IncomingChannel("sensors", l -> {
      listener = l;
      return null;
    }, emitter);
    channel.subscribe(new Collector() {
      @Override
      public void onSubscribe(Subscription s) {
        s.request(1);
      }

      @Override
      public void onNext(Message<MqttMessage> m) {
        threads.add(Thread.currentThread().getName());
      }
    });

    // Exercise: delivered on this (the "broker's") thread
    listener.onDelivery(new RecordedDelivery("m", 1));

    // Verify
    emitter.shutdown();
    assertTrue(emitter.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(List.of("emitter"), threads);
  }

  private static List<String> payloads(Collector c) {
    return c.received.stream()
        .map(m -> new String(m.getPayload().payload(), StandardCharsets.UTF_8)).toList();
  }
}
