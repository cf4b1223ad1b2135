package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.ferrymq.message.Message;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.packet.Subscription;
import org.ferrymq.topic.MatchSink;
import org.ferrymq.topic.SubscriptionEntry;
import org.ferrymq.topic.SubscriptionIndex;
import org.ferrymq.topic.SubscriptionTree;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A shared group whose members sit on several nodes gets each message once cluster-wide
 * [MQTT-4.8.2]: the publisher's node chooses one node per group and message, by the nodes'
 * member counts, and a forwarded message serves only the groups assigned to the receiving node.
 * The cluster is played by an index with a peers' tree (as the cluster's index has) and a
 * {@link PeerLink} that records what is forwarded.
 */
class SharedGroupsAcrossNodesTest {
  private static final String GROUP = "$share/g/t/#";
  private final SubscriptionTree peers = new SubscriptionTree();
  private final Map<String, Integer> weights = new ConcurrentHashMap<>();
  private final List<Forwarding> forwarded = new CopyOnWriteArrayList<>();
  private final MqttBroker sut = TestBrokers.started(b -> b.subscriptionIndex(new TwoTrees())
      .peerLink(new RecordingLink()));

  /** Records what the broker routes to its peers; no session moves between nodes here. */
  private final class RecordingLink implements PeerLink {
    @Override
    public void forward(String node, Message m, GroupAssignment groups,
        PeerLink.Receipt receipt) {
      forwarded.add(new Forwarding(node, m, groups, receipt));
    }

    @Override
    public void forwardTo(String node, Message m, SessionDelivery delivery,
        PeerLink.Receipt receipt) {
      throw new AssertionError("no session moved, yet a message was sent to " + delivery);
    }
  }

  private record Forwarding(String node, Message message, GroupAssignment groups,
      PeerLink.Receipt receipt) {
    String payload() {
      return new String(message.payload(), StandardCharsets.UTF_8);
    }
  }

  @AfterEach
  void stop() {
    sut.stop();
  }

  @Test
  void eachMessageGoesToOneNodeOfTheGroupInProportionToItsMembers() {
    TestClient member = member("m1", GROUP);
    peerMembers("node-b", GROUP, 2);
    peers.subscribe(entry("node-c", "t/#"));
    TestClient publisher = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    // Exercise
    for (int i = 0; i < 6; i++) {
      publisher.publish("t/x", Integer.toString(i), QoS.AT_LEAST_ONCE, false);
    }
    TestBrokers.drainLanes(sut);

    // Verify: one member here, two on B: a third of the messages here, the rest to B with the
    // group; C, with a plain subscriber only, gets every message and serves no group
    List<Publish> here = member.drainAll(Publish.class);
    List<Forwarding> toB = forwarded.stream().filter(f -> f.node().equals("node-b")).toList();
    List<Forwarding> toC = forwarded.stream().filter(f -> f.node().equals("node-c")).toList();
    assertEquals(2, here.size());
    assertEquals(4, toB.size());
    toB.forEach(f -> assertEquals(new GroupAssignment(List.of(GROUP), false), f.groups()));
    assertEquals(6, toC.size());
    toC.forEach(f -> assertEquals(GroupAssignment.NONE, f.groups()));
    List<String> inGroup = new java.util.ArrayList<>(here.stream().map(TestClient::payloadOf)
        .toList());
    toB.forEach(f -> inGroup.add(f.payload()));
    assertEquals(List.of("0", "1", "2", "3", "4", "5"), inGroup.stream().sorted().toList(),
        "each message once in the group");
    // the acknowledgements wait for the peers' receipts
    publisher.expectNothing(sut);
    forwarded.forEach(f -> f.receipt().accepted());
    for (int i = 0; i < 6; i++) {
      assertEquals(ReasonCode.SUCCESS, publisher.expect(PubAck.class).reasonCode());
    }
  }

  @Test
  void aPeerThatLeftBeforeTakingItsCopyHandsItToAnotherMember() {
    TestClient member = member("m1", GROUP);
    peerMembers("node-b", GROUP, 1);
    TestClient publisher = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    publisher.publish("t/x", "here", QoS.AT_LEAST_ONCE, false);
    publisher.publish("t/x", "to b", QoS.AT_LEAST_ONCE, false);
    member.expectPublish("t/x", "here");
    assertEquals(1, forwarded.size());

    // Exercise: B leaves the cluster with the message
    peers.unsubscribeAll(PeerKey.of("node-b"));
    forwarded.get(0).receipt().left();

    // Verify: [MQTT-4.8.2] the group's copy goes to the member left, then both are acknowledged
    member.expectPublish("t/x", "to b");
    assertEquals(ReasonCode.SUCCESS, publisher.expect(PubAck.class).reasonCode());
    assertEquals(ReasonCode.SUCCESS, publisher.expect(PubAck.class).reasonCode());
  }

  @Test
  void aForwardedMessageServesOnlyTheGroupsAssignedToThisNode() throws Exception {
    TestClient inG = member("in-g", GROUP);
    TestClient inH = member("in-h", "$share/h/t/#");
    TestClient plain = member("plain", "t/#");

    // Exercise
    assertEquals(2, routeFromPeer("for g", new GroupAssignment(List.of(GROUP), false)));
    assertEquals(1, routeFromPeer("for none", GroupAssignment.NONE));

    // Verify: group h is served by another node; this one must not deliver to it too
    inG.expectPublish("t/x", "for g");
    plain.expectPublish("t/x", "for g");
    plain.expectPublish("t/x", "for none");
    inH.expectNothing(sut);
    inG.expectNothing(sut);
  }

  @Test
  void anAssignedGroupWithoutAMemberHereIsPassedOnOnce() throws Exception {
    peerMembers("node-b", GROUP, 1);

    // Exercise: the member here left after the origin chose this node
    CompletableFuture<Integer> passedOn = new CompletableFuture<>();
    sut.clusterPort().routeFromPeer(Message.of("t/x", new byte[] {1}, QoS.AT_LEAST_ONCE, false),
        new GroupAssignment(List.of(GROUP), false), passedOn::complete);
    TestBrokers.drainLanes(sut);

    // Verify: to a peer with members, marked relayed; taken once that peer took it
    assertEquals(1, forwarded.size());
    assertEquals(new GroupAssignment(List.of(GROUP), true), forwarded.get(0).groups());
    assertTrue(!passedOn.isDone(), "waits for the peer it was passed to");
    forwarded.get(0).receipt().accepted();
    assertEquals(1, passedOn.get(5, TimeUnit.SECONDS));
    // a relayed copy is not passed on again
    assertEquals(0, routeFromPeer("relayed", new GroupAssignment(List.of(GROUP), true)));
    assertEquals(1, forwarded.size());
  }

  private int routeFromPeer(String payload, GroupAssignment groups) throws Exception {
    CompletableFuture<Integer> taken = new CompletableFuture<>();
    sut.clusterPort().routeFromPeer(Message.of("t/x", payload.getBytes(StandardCharsets.UTF_8),
        QoS.AT_LEAST_ONCE, false), groups, taken::complete);
    return taken.get(5, TimeUnit.SECONDS);
  }

  private TestClient member(String clientId, String filter) {
    TestClient client = TestClient.connect(sut, ProtocolVersion.MQTT_5, clientId, true);
    client.subscribe(filter, QoS.AT_LEAST_ONCE);
    return client;
  }

  private void peerMembers(String node, String group, int members) {
    peers.subscribe(entry(node, group));
    weights.put(PeerKey.of(node), members);
  }

  private static SubscriptionEntry entry(String node, String filter) {
    return SubscriptionEntry.of(PeerKey.of(node), new Subscription(filter, QoS.EXACTLY_ONCE,
        false, true, RetainHandling.SEND_ON_SUBSCRIBE), 0);
  }

  /** This node's tree and the peers' tree, matched together, as the cluster's index does. */
  private final class TwoTrees implements SubscriptionIndex {
    private final SubscriptionTree local = new SubscriptionTree();

    @Override
    public boolean subscribe(SubscriptionEntry entry) {
      return local.subscribe(entry);
    }

    @Override
    public boolean unsubscribe(String clientId, String fullFilter) {
      return local.unsubscribe(clientId, fullFilter);
    }

    @Override
    public List<SubscriptionEntry> unsubscribeAll(String clientId) {
      return local.unsubscribeAll(clientId);
    }

    @Override
    public void match(String topic, MatchSink sink) {
      local.match(topic, sink);
      peers.match(topic, sink);
    }

    @Override
    public List<SubscriptionEntry> subscriptionsOf(String clientId) {
      return local.subscriptionsOf(clientId);
    }

    @Override
    public int size() {
      return local.size();
    }

    @Override
    public int weight(SubscriptionEntry member) {
      return weights.getOrDefault(member.clientId(), 1);
    }
  }
}
