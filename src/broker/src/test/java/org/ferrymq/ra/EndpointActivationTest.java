package org.ferrymq.ra;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkManager;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import javax.transaction.xa.XAResource;
import org.ferrymq.api.MqttMessage;
import org.ferrymq.api.MqttMessageListener;
import org.ferrymq.engine.LocalSubscription;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A message-driven bean's activation on a running broker, with the container played by a work
 * manager on a thread pool and an endpoint factory whose endpoints call the test's bean: a bean
 * that throws gets the message again after the redelivery delay, and a message that fails every
 * delivery is published to the dead-letter topic, where a subscriber reads it.
 */
class EndpointActivationTest {

  private static final String ACTIVATION = "app#app.war#Bean";

  private MqttBroker broker = TestBrokers.started();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<String> deliveries = new CopyOnWriteArrayList<>();
  private final List<Message> deadLetters = new CopyOnWriteArrayList<>();
  private EndpointActivation sut;

  @AfterEach
  void stop() {
    if (sut != null) {
      sut.close();
    }
    threads.shutdownNow();
    broker.stop();
  }

  @Test
  void aBeanThatThrowsTwiceReceivesTheMessageAThirdTime() throws Exception {
    sut = activate(spec(5, 20), m -> {
      deliveries.add(text(m));
      if (deliveries.size() <= 2) {
        throw new IllegalStateException("failure " + deliveries.size());
      }
    });
    LocalSubscription dlq = deadLetterSubscriber();

    // Exercise
    broker.publish(Message.of("orders/1", bytes("m1"), QoS.AT_LEAST_ONCE, false));

    // Verify
    await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.size() == 3);
    publishAndAwait("orders/2", "m2");
    assertEquals(List.of("m1", "m1", "m1", "m2"), deliveries, "redelivered before the next");
    assertEquals(List.of(), deadLetters);
    dlq.close();
  }

  @Test
  void aMessageThatFailsEveryDeliveryGoesToTheDeadLetterTopic() throws Exception {
    sut = activate(spec(3, 10), m -> {
      deliveries.add(text(m));
      if (text(m).startsWith("poison")) {
        throw new IllegalStateException("cannot process " + text(m));
      }
    });
    LocalSubscription dlq = deadLetterSubscriber();

    // Exercise
    broker.publish(Message.of("orders/1", bytes("poison"), QoS.AT_LEAST_ONCE, false));

    // Verify
    await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.size() == 1);
    Message dead = deadLetters.get(0);
    assertEquals("$dlq/app/app.war/Bean", dead.topic());
    assertEquals("poison", new String(dead.payload(), StandardCharsets.UTF_8));
    assertEquals(List.of(new UserProperty(DeadLetters.ORIGINAL_TOPIC, "orders/1"),
        new UserProperty(DeadLetters.DELIVERY_ATTEMPTS, "4")),
        dead.properties().userProperties());
    publishAndAwait("orders/2", "fine");
    assertEquals(List.of("poison", "poison", "poison", "poison", "fine"), deliveries);
    dlq.close();
  }

  @Test
  void aBeanOnEveryTopicNeverReceivesItsOwnDeadLetters() throws Exception {
    MqttActivationSpec everything = spec(1, 10);
    everything.setTopicFilter("#");
    everything.validate();
    sut = activate(everything, m -> {
      deliveries.add(text(m));
      throw new IllegalStateException("always");
    });
    LocalSubscription dlq = deadLetterSubscriber();

    // Exercise
    broker.publish(Message.of("orders/1", bytes("poison"), QoS.AT_LEAST_ONCE, false));

    // Verify
    await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.size() == 1);
    publishAndAwait("orders/2", "after");
    assertEquals(List.of("poison", "poison", "after"), deliveries.subList(0, 3));
    assertEquals(1, deadLetters.stream()
        .filter(m -> "poison".equals(new String(m.payload(), StandardCharsets.UTF_8))).count());
    dlq.close();
  }

  @Test
  void messagesPublishedWhileTheApplicationIsStoppedArriveWhenItStartsAgain() throws Exception {
    sut = activate(spec(0, 0), m -> deliveries.add(text(m)));
    publishAndAwait("orders/1", "before");
    sut.close();
    TestBrokers.drainLanes(broker);

    // Exercise
    broker.publish(Message.of("orders/2", bytes("while stopped"), QoS.AT_LEAST_ONCE, false));
    broker.publish(Message.of("orders/3", bytes("also"), QoS.EXACTLY_ONCE, false));
    TestBrokers.drainLanes(broker);
    sut = activate(spec(0, 0), m -> deliveries.add(text(m)));

    // Verify
    await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.size() == 3);
    assertEquals(List.of("before", "while stopped", "also"), deliveries);
  }

  @Test
  void aMessageTheBeanWasProcessingWhenItsApplicationStoppedComesAgain() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    sut = activate(spec(0, 0), m -> {
      deliveries.add(text(m));
      inside.countDown();
      awaitLatch(release);
    });
    broker.publish(Message.of("orders/1", bytes("in progress"), QoS.AT_LEAST_ONCE, false));
    assertTrue(inside.await(10, TimeUnit.SECONDS));

    // Exercise: the application stops while onMessage runs; it returns afterwards
    sut.close();
    TestBrokers.drainLanes(broker);
    release.countDown();
    sut = activate(spec(0, 0), m -> deliveries.add(text(m)));

    // Verify: acknowledged only after onMessage returned, to the activation that handed it over
    await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.size() == 2);
    assertEquals(List.of("in progress", "in progress"), deliveries);
  }

  @Test
  void aSlowBeanHoldsTheNetworkPublisherBackAndLosesNoAcknowledgedMessage() throws Exception {
    broker.stop();
    broker = TestBrokers.started(b -> b.config(TestBrokers.config(
        "mqtt.queue.max-messages", "5")));
    CountDownLatch gate = new CountDownLatch(1);
    MqttActivationSpec spec = spec(0, 0);
    spec.setReceiveMaximum(2);
    sut = activate(spec, m -> {
      awaitLatch(gate);
      deliveries.add(text(m));
    });
    TestClient publisher = TestClient.connect(broker, ProtocolVersion.MQTT_5, "sensor", true);

    // Exercise
    List<String> sent = new java.util.ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      sent.add("m" + i);
      publisher.publish("orders/" + i, "m" + i, QoS.AT_LEAST_ONCE, false);
    }

    // Verify: past the bound the PUBACKs wait for the bean, as for a slow network subscriber
    int early = publisher.drainAll(PubAck.class).size();
    assertTrue(early < 30, "PUBACKs held back while the bean is stuck: " + early);
    assertTrue(broker.flowStats().publishersThrottled() > 0);
    gate.countDown();
    await().atMost(Duration.ofSeconds(20)).until(() -> deliveries.size() == 30);
    assertEquals(sent, deliveries);
    assertEquals(30 - early, publisher.drainAll(PubAck.class).size());
    assertEquals(0L, broker.flowStats().dropped().values().stream()
        .mapToLong(Long::longValue).sum());
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void publishAndAwait(String topic, String text) {
    broker.publish(Message.of(topic, bytes(text), QoS.AT_LEAST_ONCE, false));
    await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.contains(text));
  }

  private LocalSubscription deadLetterSubscriber() {
    return broker.subscribe(RedeliveryPolicy.DEAD_LETTER_PREFIX + "#", QoS.EXACTLY_ONCE,
        deadLetters::add);
  }

  private static MqttActivationSpec spec(int maxRedeliveries, long delay) throws Exception {
    MqttActivationSpec spec = new MqttActivationSpec();
    spec.setTopicFilter("orders/#");
    spec.setMaxRedeliveries(maxRedeliveries);
    spec.setRedeliveryDelay(delay);
    spec.validate();
    return spec;
  }

  private EndpointActivation activate(MqttActivationSpec spec, Consumer<MqttMessage> bean)
      throws Exception {
    EndpointActivation activation = EndpointActivation.start(broker, workManager(),
        new BeanFactory(bean), spec);
    TestBrokers.drainLanes(broker);
    return activation;
  }

  /** A work manager that runs each scheduled work item on the test's thread pool. */
  private WorkManager workManager() {
    return (WorkManager) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {WorkManager.class}, (proxy, method, args) -> {
          if (!method.getName().equals("scheduleWork")) {
            throw new UnsupportedOperationException(method.getName());
          }
          Work work = (Work) args[0];
          threads.execute(work);
          return null;
        });
  }

  /** Endpoints that hand each message to the bean; no transactions. */
  private record BeanFactory(Consumer<MqttMessage> bean) implements MessageEndpointFactory {
    @Override
    public MessageEndpoint createEndpoint(XAResource xaResource) {
      return (MessageEndpoint) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {MessageEndpoint.class, MqttMessageListener.class},
          (proxy, method, args) -> {
            if (method.getName().equals("onMessage")) {
              bean.accept((MqttMessage) args[0]);
            }
            return null;
          });
    }

    @Override
    public MessageEndpoint createEndpoint(XAResource xaResource, long timeout) {
      return createEndpoint(xaResource);
    }

    @Override
    public boolean isDeliveryTransacted(Method method) {
      return false;
    }

    @Override
    public String getActivationName() {
      return ACTIVATION;
    }

    @Override
    public Class<?> getEndpointClass() {
      return MqttMessageListener.class;
    }
  }

  private static String text(MqttMessage m) {
    return new String(m.payload(), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
