package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.ferrymq.message.Message;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.topic.MatchSink;
import org.ferrymq.topic.SubscriptionEntry;
import org.ferrymq.topic.SubscriptionIndex;
import org.ferrymq.topic.SubscriptionTree;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The session registry and the subscription index are what a cluster replaces; the broker is
 * built with them and reaches sessions and subscriptions only through them. Counting decorators
 * over the default implementations show that every CONNECT, SUBSCRIBE, PUBLISH and session end
 * goes through the supplied ones.
 */
class ClusterSeamsTest {
  private final CountingRegistry registry = new CountingRegistry();
  private final CountingIndex index = new CountingIndex();
  private final MqttBroker sut = TestBrokers.started(b -> b.sessionRegistry(registry)
      .subscriptionIndex(index));

  @AfterEach
  void stop() {
    sut.stop();
  }

  @Test
  @DisplayName("CONNECT, SUBSCRIBE, PUBLISH and the end of a session use the supplied registry "
      + "and index")
  void brokerUsesTheSuppliedRegistryAndIndex() {
    TestClient subscriber = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true);
    TestClient publisher = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    subscriber.subscribe("seam/#", QoS.AT_LEAST_ONCE);
    List<Message> inProcess = new CopyOnWriteArrayList<>();
    sut.subscribe("seam/#", QoS.AT_MOST_ONCE, inProcess::add).close();

    // Exercise
    publisher.publishAcked("seam/x", "through the seams");
    subscriber.expectPublish("seam/x", "through the seams");
    int lookupsBeforeEnd = registry.gets.get();
    subscriber.disconnectAbruptly();
    TestBrokers.drainLanes(sut);

    // Verify
    assertEquals(List.of("sub", "pub"), registry.registered);
    assertEquals(List.of("sub"), registry.removed, "a clean session ends with its connection");
    assertTrue(lookupsBeforeEnd >= 3, "CONNECT looks up twice, routing once: " + lookupsBeforeEnd);
    assertEquals(2, index.subscribes.get(), "the client's and the in-process subscription");
    assertTrue(index.matches.get() >= 1, "the PUBLISH was matched in the supplied index");
    assertEquals(List.of("pub"), clientIds(sut.clients()), "the admin view reads the registry");
    assertEquals(1, registry.size());
    assertEquals(0, index.size(), "the ended session's subscription left the supplied index");
  }

  private static List<String> clientIds(List<ClientSummary> clients) {
    List<String> ids = new ArrayList<>();
    clients.forEach(c -> ids.add(c.clientId()));
    return ids;
  }

  /** The default registry, recording what the broker asks of it. */
  private static final class CountingRegistry implements SessionRegistry {
    private final SessionRegistry delegate = new LocalSessionRegistry();
    final AtomicInteger gets = new AtomicInteger();
    final List<String> registered = new CopyOnWriteArrayList<>();
    final List<String> removed = new CopyOnWriteArrayList<>();

    @Override
    public SessionHandle get(String clientId) {
      gets.incrementAndGet();
      return delegate.get(clientId);
    }

    @Override
    public void put(SessionHandle session) {
      registered.add(session.clientId());
      delegate.put(session);
    }

    @Override
    public boolean remove(SessionHandle session) {
      removed.add(session.clientId());
      return delegate.remove(session);
    }

    @Override
    public int size() {
      return delegate.size();
    }

    @Override
    public Collection<SessionHandle> all() {
      return delegate.all();
    }
  }

  /** The default index, counting subscriptions and matches. */
  private static final class CountingIndex implements SubscriptionIndex {
    private final SubscriptionIndex delegate = new SubscriptionTree();
    final AtomicInteger subscribes = new AtomicInteger();
    final AtomicInteger matches = new AtomicInteger();

    @Override
    public boolean subscribe(SubscriptionEntry entry) {
      subscribes.incrementAndGet();
      return delegate.subscribe(entry);
    }

    @Override
    public boolean unsubscribe(String clientId, String fullFilter) {
      return delegate.unsubscribe(clientId, fullFilter);
    }

    @Override
    public List<SubscriptionEntry> unsubscribeAll(String clientId) {
      return delegate.unsubscribeAll(clientId);
    }

    @Override
    public void match(String topic, MatchSink sink) {
      matches.incrementAndGet();
      delegate.match(topic, sink);
    }

    @Override
    public List<SubscriptionEntry> subscriptionsOf(String clientId) {
      return delegate.subscriptionsOf(clientId);
    }

    @Override
    public int size() {
      return delegate.size();
    }
  }
}
