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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The holder's side of a session handed over to another node (docs/cluster.md, "The handover
 * window"): a message that a peer forwards here by topic while the session's lane is taking it
 * off this node, and that another lane routes meanwhile, finds the session or its forwarding
 * entry, never neither. Before, the session left the registry before its forwarding entry was
 * in place: such a message found no receiver, was settled as taken by no one and its publisher
 * acknowledged, and the moving subscriber never got it
 * (ClusterSessionsTest.aSubscriberMovingBetweenNodesLosesNoAcknowledgedMessageAndGetsNoneTwice
 * failed now and then under load).
 */
class SessionReleaseWindowTest {
  private static final Properties KEEP = Properties.builder()
      .put(Property.SESSION_EXPIRY_INTERVAL, 300L).build();
  private final PausingStore store = new PausingStore(new MemoryPersistence());
  private final List<SessionDelivery> forwardedTo = new CopyOnWriteArrayList<>();
  private final MqttBroker sut = TestBrokers.started(b -> b.persistence(store)
      .peerLink(new ForwardingLink())
      .sessionHandover((id, user, clean) -> CompletableFuture.completedFuture(
          SessionClaim.notHeld())));

  @AfterEach
  void stop() {
    store.resume();
    sut.stop();
  }

  @Test
  void aMessageRoutedWhileTheSessionIsReleasedFollowsItToItsNewNode() throws Exception {
    TestClient mover = new TestClient(sut, ProtocolVersion.MQTT_5);
    ConnAck ack = mover.connectWith(new Connect(ProtocolVersion.MQTT_5, "mover", false, 60,
        null, null, null, KEEP));
    assertEquals(ReasonCode.SUCCESS, ack.reasonCode());
    mover.subscribe("move/#", QoS.EXACTLY_ONCE);
    mover.send(new Disconnect(ReasonCode.SUCCESS, Properties.EMPTY));
    mover.awaitClosed("DISCONNECT");
    String publisher = publisherOnAnotherLaneThan("mover");
    store.pauseDeleting("mover");

    // Exercise: the session's lane releases it, and stops inside; another lane routes meanwhile
    CompletableFuture<SessionClaim> released = sut.clusterPort().handOver("mover", null, false,
        "node-b");
    assertTrue(store.paused.await(5, TimeUnit.SECONDS), "the release took the session off");
    CompletableFuture<Integer> taken = new CompletableFuture<>();
    sut.clusterPort().routeFromPeer(new Message("move/1", "one".getBytes(StandardCharsets.UTF_8),
        QoS.EXACTLY_ONCE, false, Properties.EMPTY, 0, publisher, 7), GroupAssignment.NONE,
        taken::complete);
    awaitLane(publisher);
    boolean settledDuringRelease = taken.isDone();
    store.resume();
    released.get(5, TimeUnit.SECONDS);
    TestBrokers.drainLanes(sut);

    // Verify: forwarded to the session on its new node, and settled only by that node
    assertFalse(settledDuringRelease, "settled while the session was being released: "
        + taken.getNow(null));
    assertEquals(List.of("mover"), forwardedTo.stream().map(SessionDelivery::clientId).toList(),
        "[MQTT-4.3.3-2] the message follows the session it was routed to");
    assertEquals(1, taken.get(5, TimeUnit.SECONDS), "taken by the moved session");
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
}
