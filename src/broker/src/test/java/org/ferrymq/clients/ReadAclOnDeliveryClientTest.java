package org.ferrymq.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.ferrymq.engine.DropReason;
import org.ferrymq.packet.Publish;
import org.ferrymq.persistence.memory.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every delivery path checks the read ACL for the identity connected now, not the one that
 * subscribed: a user whose rights were removed between connections receives nothing more on
 * those topics, whether the message was queued, in flight, retained or shared. Real sockets,
 * Paho v5 clients; what left the broker is read from the wire.
 */
class ReadAclOnDeliveryClientTest {
  private static final String ALICE_READS_ONLY_OK = """
      user alice
      topic write alice/#
      topic read alice/ok/#
      """;

  private static final String JOBS_FOR_ALL = "topic readwrite jobs/#\n";
  private static final String JOBS_BUT_NOT_FOR_BOB = JOBS_FOR_ALL + """
      user bob
      topic deny jobs/#
      """;

  @RegisterExtension
  final OpenClients clients = new OpenClients();

  private final SecuredBroker sut = new SecuredBroker(clients);

  @AfterEach
  void stop() {
    sut.stop();
  }

  /**
   * A member of the shared group {@code $share/g/jobs/#}, client id {@code <user>-worker}, that
   * does not acknowledge what it receives (so deliveries stay in flight).
   */
  private MqttClient worker(String user, Inbox<String> inbox,
      Consumer<MqttConnectionOptions> options)
      throws Exception {
    MqttClient client = sut.connectV5(user + "-worker", user, inbox, options).client();
    client.setManualAcks(true);
    client.subscribe("$share/g/jobs/#", 1);
    return client;
  }

  private long readDenied() {
    return sut.running().broker().flowStats().dropped().get(DropReason.READ_DENIED);
  }

  /** @return the payloads of the PUBLISH packets sent on the client's n-th connection */
  private List<String> sentOn(String clientId, int connection) {
    return sut.running().tap().connectionsOf(clientId).get(connection).publishesToClient()
        .stream().map(SecuredBroker::payload).toList();
  }

  @Test
  @DisplayName("Queue drain: messages queued while alice was away are not sent once she may no "
      + "longer read them; counted as read_denied, later readable ones flow")
  void queuedMessagesAreCheckedWhenDrained() throws Exception {
    sut.start(new MemoryPersistence());
    MqttClient alice = sut.connectV5("alice-dev", "alice", new Inbox<>(),
        SecuredBroker::resumable).client();
    alice.subscribe("alice/#", 1);
    alice.disconnect();
    sut.publishAsAlice("alice/x", "queued", 3);

    // Exercise
    sut.acl(ALICE_READS_ONLY_OK);
    Inbox<String> inbox = new Inbox<>();
    SecuredBroker.V5 back = sut.connectV5("alice-dev", "alice", inbox, SecuredBroker::resumable);
    sut.publishAsAlice("alice/ok/y", "marker", 1);

    // Verify
    assertTrue(back.sessionPresent());
    assertEquals(List.of("alice/ok/y:marker-0"), inbox.awaitMatching(m -> m.contains("marker")));
    assertEquals(List.of("marker-0"), sentOn("alice-dev", 1));
    assertEquals(3, readDenied());
  }

  @Test
  @DisplayName("[MQTT-4.4.0-1] in-flight resend: unacknowledged messages are not resent to an "
      + "identity that may no longer read them, and leave the in-flight window")
  void inflightMessagesAreCheckedWhenResent() throws Exception {
    // a window of 5: if the refused messages stayed in flight, nothing more could be sent
    sut.start(new MemoryPersistence(), "mqtt.max-inflight", "5");
    Inbox<String> first = new Inbox<>();
    MqttClient alice = sut.connectV5("alice-dev", "alice", first, SecuredBroker::resumable)
        .client();
    alice.setManualAcks(true);
    alice.subscribe("alice/#", 1);
    sut.publishAsAlice("alice/x", "inflight", 5);
    first.awaitCount(5);
    alice.disconnect();

    // Exercise
    sut.acl(ALICE_READS_ONLY_OK);
    Inbox<String> inbox = new Inbox<>();
    sut.connectV5("alice-dev", "alice", inbox, SecuredBroker::resumable);
    sut.publishAsAlice("alice/ok/y", "marker", 1);

    // Verify
    assertEquals(List.of("alice/ok/y:marker-0"), inbox.awaitMatching(m -> m.contains("marker")));
    assertEquals(List.of("marker-0"), sentOn("alice-dev", 1), "no DUP resend of the five");
    assertEquals(5, readDenied());
  }

  @Test
  @DisplayName("[MQTT-3.3.1-9] retained messages sent on subscribe only where the subscriber "
      + "may read now")
  void retainedMessagesAreCheckedOnSubscribe() throws Exception {
    sut.start(new MemoryPersistence());
    MqttClient publisher = sut.connectV5("alice-pub", "alice", new Inbox<>(), o -> { })
        .client();
    for (String topic : List.of("alice/x", "alice/ok/y")) {
      MqttMessage m = new MqttMessage(("retained " + topic).getBytes(StandardCharsets.UTF_8));
      m.setQos(1);
      m.setRetained(true);
      publisher.publish(topic, m);
    }

    // Exercise
    sut.acl(ALICE_READS_ONLY_OK);
    Inbox<String> inbox = new Inbox<>();
    MqttClient alice = sut.connectV5("alice-dev", "alice", inbox, o -> { }).client();
    alice.subscribe("alice/#", 1);
    alice.subscribe("alice/ok/marker", 1);
    MqttMessage marker = new MqttMessage("marker".getBytes(StandardCharsets.UTF_8));
    marker.setQos(1);
    publisher.publish("alice/ok/marker", marker);

    // Verify
    List<String> received = inbox.awaitMatching(m -> m.endsWith(":marker"));
    assertEquals(Set.of("alice/ok/y:retained alice/ok/y", "alice/ok/marker:marker"),
        new HashSet<>(received));
    assertEquals(1, readDenied());
  }

  @Test
  @DisplayName("[MQTT-4.8.2-2] shared subscription: a member whose rights were removed gets no "
      + "message; each goes to the member that may read it")
  void sharedDeliveryPicksOnlyMembersThatMayRead() throws Exception {
    sut.acl(JOBS_FOR_ALL);
    sut.start(new MemoryPersistence());
    Inbox<String> aliceInbox = new Inbox<>();
    Inbox<String> bobInbox = new Inbox<>();
    worker("alice", aliceInbox, o -> { });
    worker("bob", bobInbox, o -> { });

    // Exercise
    sut.acl(JOBS_BUT_NOT_FOR_BOB);
    sut.publishAsAlice("jobs/1", "job", 10);

    // Verify
    assertEquals(10, aliceInbox.awaitCount(10).size());
    assertEquals(List.of(), sentOn("bob-worker", 0));
    assertEquals(0, readDenied(), "none lost");
  }

  @Test
  @DisplayName("Shared redistribution: messages in flight to a member whose rights were "
      + "removed go to the other member when it comes back, none to it and none lost")
  void sharedInflightOfAMemberThatLostItsRightsIsRedistributed() throws Exception {
    sut.acl(JOBS_FOR_ALL);
    sut.start(new MemoryPersistence());
    Inbox<String> aliceInbox = new Inbox<>();
    Inbox<String> bobInbox = new Inbox<>();
    worker("alice", aliceInbox, o -> { });
    MqttClient bob = worker("bob", bobInbox, SecuredBroker::resumable);
    sut.publishAsAlice("jobs/1", "job", 10);
    Inbox.waiting().until(() -> aliceInbox.snapshot().size() + bobInbox.snapshot().size() == 10);
    int heldByBob = bobInbox.snapshot().size();
    assertTrue(heldByBob > 0, "round robin gave bob some");
    bob.disconnect();

    // Exercise
    sut.acl(JOBS_BUT_NOT_FOR_BOB);
    sut.connectV5("bob-worker", "bob", new Inbox<>(), SecuredBroker::resumable);

    // Verify
    Set<String> all = new HashSet<>(aliceInbox.awaitCount(10));
    all.addAll(bobInbox.snapshot());
    assertEquals(10, all.size(), "every job reached someone: " + all);
    assertEquals(List.of(), sentOn("bob-worker", 1), "nothing resent to bob");
    assertEquals(0, readDenied());
  }
}
