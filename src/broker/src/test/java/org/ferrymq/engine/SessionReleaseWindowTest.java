package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.ferrymq.message.Message;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.SessionStore;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.persistence.memory.MemoryPersistence;
import org.ferrymq.topic.MatchSink;
import org.ferrymq.topic.SubscriptionEntry;
import org.ferrymq.topic.SubscriptionIndex;
import org.ferrymq.topic.SubscriptionTree;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The windows of a session handed over between nodes (docs/cluster.md, "The handover window")
 * in which another lane of a node routes a message to it by topic: while the holder takes the
 * session off, and while the session comes back to a node that forwards it. The message finds
 * the session or its forwarding entry, never neither. Before, the session left the registry
 * before its forwarding entry was in place, and the entry of a session coming back went before
 * the adopted session was registered: such a message found no receiver, was settled as taken
 * by no one and its publisher acknowledged, and the moving subscriber never got it
 * (ClusterSessionsTest.aSubscriberMovingBetweenNodesLosesNoAcknowledgedMessageAndGetsNoneTwice
 * failed now and then under load).
 */
class SessionReleaseWindowTest {
  private static final Properties KEEP = Properties.builder()
      .put(Property.SESSION_EXPIRY_INTERVAL, 300L).build();
  private final PausingStore store = new PausingStore(new MemoryPersistence());
  private final PausingIndex index = new PausingIndex();
  private final List<SessionDelivery> forwardedTo = new CopyOnWriteArrayList<>();
  private final MqttBroker sut = TestBrokers.started(b -> b.persistence(store)
      .subscriptionIndex(index)
      .peerLink(new ForwardingLink())
      .sessionHandover((id, user, clean) -> CompletableFuture.completedFuture(
          SessionClaim.notHeld())));

  @AfterEach
  void stop() {
    store.resume();
    index.resume();
    sut.stop();
  }

  @Test
  void aMessageRoutedWhileTheSessionIsReleasedFollowsItToItsNewNode() throws Exception {
    offlineSessionOfMover();
    store.pauseDeleting("mover");

    // Exercise: the session's lane releases it, and stops inside; another lane routes meanwhile
    CompletableFuture<Integer> taken = routedWhileStopped(store.paused, store::resume,
        sut.clusterPort().handOver("mover", null, false, "node-b"));

    // Verify: forwarded to the session on its new node, and settled only by that node
    assertEquals(List.of("mover"), forwardedTo.stream().map(SessionDelivery::clientId).toList(),
        "[MQTT-4.3.3-2] the message follows the session it was routed to");
    assertEquals(1, taken.get(5, TimeUnit.SECONDS), "taken by the moved session");
  }

  @Test
  void aMessageRoutedWhileTheSessionComesBackIsNotLost() throws Exception {
    offlineSessionOfMover();
    SessionClaim left = sut.clusterPort().handOver("mover", null, false, "node-b")
        .get(5, TimeUnit.SECONDS);
    TestBrokers.drainLanes(sut);
    index.pauseReading("mover");

    // Exercise: the session's lane adopts it back, and stops inside; another lane routes
    CompletableFuture<Integer> taken = routedWhileStopped(index.paused, index::resume,
        sut.clusterPort().adopt(left.session()));

    // Verify: sent on to where the session was (which sends it back here), or taken here
    assertEquals(1, taken.get(5, TimeUnit.SECONDS), "[MQTT-4.3.3-2] taken by the session");
  }

  /**
   * Routes a peer's message on another lane while the mover's lane is stopped inside {@code
   * step}, then lets the lane go on.
   *
   * @return the message's outcome, which must not have come while the lane was stopped
   */
  private CompletableFuture<Integer> routedWhileStopped(CountDownLatch stopped, Runnable goOn,
      CompletableFuture<?> step) throws Exception {
    String publisher = publisherOnAnotherLaneThan("mover");
    assertTrue(stopped.await(5, TimeUnit.SECONDS), "the mover's lane stopped inside");
    CompletableFuture<Integer> taken = new CompletableFuture<>();
    sut.clusterPort().routeFromPeer(new Message("move/1",
        "one".getBytes(StandardCharsets.UTF_8), QoS.EXACTLY_ONCE, false, Properties.EMPTY, 0,
        publisher, 7), GroupAssignment.NONE, taken::complete);
    awaitLane(publisher);
    boolean settledMeanwhile = taken.isDone();
    goOn.run();
    step.get(5, TimeUnit.SECONDS);
    TestBrokers.drainLanes(sut);
    assertFalse(settledMeanwhile, "settled as taken by " + taken.getNow(null)
        + " while the session's lane was stopped");
    return taken;
  }

  private void offlineSessionOfMover() {
    TestClient mover = new TestClient(sut, ProtocolVersion.MQTT_5);
    ConnAck ack = mover.connectWith(new Connect(ProtocolVersion.MQTT_5, "mover", false, 60,
        null, null, null, KEEP));
    assertEquals(ReasonCode.SUCCESS, ack.reasonCode());
    mover.subscribe("move/#", QoS.EXACTLY_ONCE);
    mover.send(new Disconnect(ReasonCode.SUCCESS, Properties.EMPTY));
    mover.awaitClosed("DISCONNECT");
  }

  private String publisherOnAnotherLaneThan(String clientId) {
    BrokerCore core = sut.core();
    for (int i = 0; ; i++) {
      String candidate = "publisher-" + i;
      if (core.laneFor(candidate) != core.laneFor(clientId)) {
        return candidate;
      }
    }
  }

  /** Waits until what was queued on the client's lane so far has run. */
  private void awaitLane(String clientId) throws InterruptedException {
    CountDownLatch ran = new CountDownLatch(1);
    sut.core().laneFor(clientId).execute(ran::countDown);
    assertTrue(ran.await(5, TimeUnit.SECONDS), "the routing lane ran");
  }

  /** Takes every message forwarded to a moved session on its new node at once. */
  private final class ForwardingLink implements PeerLink {
    @Override
    public void forward(String node, Message message, GroupAssignment groups, Receipt receipt) {
      receipt.accepted();
    }

    @Override
    public void forwardTo(String node, Message message, SessionDelivery delivery,
        Receipt receipt) {
      forwardedTo.add(delivery);
      receipt.accepted();
    }
  }

  /** Delegates to a store; deleting one client's session record waits while paused. */
  private static final class PausingStore extends DelegatingPersistence {
    private final CountDownLatch paused = new CountDownLatch(1);
    private final CountDownLatch resumed = new CountDownLatch(1);
    private volatile String pauseFor;

    PausingStore(Persistence delegate) {
      super(delegate);
    }

    void pauseDeleting(String clientId) {
      pauseFor = clientId;
    }

    void resume() {
      resumed.countDown();
    }

    @Override
    public SessionStore sessions() {
      SessionStore s = delegate.sessions();
      return new SessionStore() {
        @Override
        public void save(StoredSession session) {
          s.save(session);
        }

        @Override
        public void delete(String clientId) {
          if (clientId.equals(pauseFor)) {
            paused.countDown();
            try {
              resumed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          s.delete(clientId);
        }

        @Override
        public List<StoredSession> loadSessions() {
          return s.loadSessions();
        }
      };
    }
  }

  /** The subscription tree; reading one client's subscriptions waits while paused. */
  private static final class PausingIndex implements SubscriptionIndex {
    private final SubscriptionTree tree = new SubscriptionTree();
    private final CountDownLatch paused = new CountDownLatch(1);
    private final CountDownLatch resumed = new CountDownLatch(1);
    private volatile String pauseFor;

    void pauseReading(String clientId) {
      pauseFor = clientId;
    }

    void resume() {
      resumed.countDown();
    }

    @Override
    public boolean subscribe(SubscriptionEntry entry) {
      return tree.subscribe(entry);
    }

    @Override
    public boolean unsubscribe(String clientId, String fullFilter) {
      return tree.unsubscribe(clientId, fullFilter);
    }

    @Override
    public List<SubscriptionEntry> unsubscribeAll(String clientId) {
      return tree.unsubscribeAll(clientId);
    }

    @Override
    public void match(String topic, MatchSink sink) {
      tree.match(topic, sink);
    }

    @Override
    public List<SubscriptionEntry> subscriptionsOf(String clientId) {
      if (clientId.equals(pauseFor)) {
        pauseFor = null;
        paused.countDown();
        try {
          resumed.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return tree.subscriptionsOf(clientId);
    }

    @Override
    public int size() {
      return tree.size();
    }
  }
}
