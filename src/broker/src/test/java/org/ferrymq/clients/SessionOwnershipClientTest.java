package org.ferrymq.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.persistence.common.Version2Records;
import org.ferrymq.persistence.memory.MemoryPersistence;
import org.ferrymq.persistence.mvstore.MvStorePersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's attack over real sockets, with Paho v5 and v3 as independent clients: mallory, a
 * valid user, presents alice's client id. [MQTT-3.1.4-3] lets "the client" take its session
 * over; FerryMQ decides who that client is by the identity that created the session, and
 * refuses anyone else with 0x85 Client Identifier not valid ([MQTT-3.1.3-5]; MQTT 3.1.1 return
 * code 2, [MQTT-3.1.3-9] in 3.1.1), leaving alice connected with her session.
 */
class SessionOwnershipClientTest {
  private static final String ALICE_DEVICE = "alice-dev";

  @RegisterExtension
  final OpenClients clients = new OpenClients();

  @TempDir
  Path dir;

  private final SecuredBroker sut = new SecuredBroker(clients);

  @AfterEach
  void stop() {
    sut.stop();
  }

  /** Alice's device with a persistent session, subscribed to alice/# at QoS 1, not acking. */
  private MqttClient aliceDeviceHoldingFiveMessages(Inbox<String> inbox) throws Exception {
    MqttClient alice = sut.connectV5(ALICE_DEVICE, "alice", inbox, SecuredBroker::resumable)
        .client();
    alice.setManualAcks(true);
    alice.subscribe("alice/#", 1);
    sut.publishAsAlice("alice/x", "secret", 5);
    inbox.awaitCount(5);
    return alice;
  }

  @Test
  @DisplayName("MQTT 5: mallory presenting alice's client id gets CONNACK 0x85 and nothing of "
      + "alice's; alice stays connected and keeps receiving")
  void anotherUsersTakeoverIsRefusedV5() throws Exception {
    sut.start(new MemoryPersistence());
    Inbox<String> aliceInbox = new Inbox<>();
    MqttClient alice = aliceDeviceHoldingFiveMessages(aliceInbox);

    // Exercise
    Inbox<String> malloryInbox = new Inbox<>();
    MqttException refused = assertThrows(MqttException.class, () -> sut.connectV5(ALICE_DEVICE,
        "mallory", malloryInbox, SecuredBroker::resumable));
    sut.publishAsAlice("alice/x", "after", 1);

    // Verify
    assertEquals(0x85, refused.getReasonCode(), refused.toString());
    WireTap.Tapped mallory = connectionAs("mallory");
    assertEquals(1, mallory.toClient().size(), "one packet only, no PUBLISH");
    ConnAck ack = (ConnAck) mallory.toClient().get(0);
    assertFalse(ack.sessionPresent(), "[MQTT-3.2.2-6] no session present with an error");
    assertEquals(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, ack.reasonCode());
    assertTrue(malloryInbox.snapshot().isEmpty());
    aliceInbox.awaitMatching(m -> m.equals("alice/x:after-0"));
    assertTrue(alice.isConnected());
    assertTrue(sut.running().isConnected(ALICE_DEVICE));
    assertFalse(sut.running().tap().connectionsOf(ALICE_DEVICE).get(0).toClient().stream()
        .anyMatch(Disconnect.class::isInstance), "alice was not disconnected");
    assertEquals(1, sut.running().broker().authStats().takeoversRefused());
  }

  @Test
  @DisplayName("MQTT 3.1.1: the same attack gets return code 2 (identifier rejected)")
  void anotherUsersTakeoverIsRefusedV3() throws Exception {
    sut.start(new MemoryPersistence());
    Inbox<String> aliceInbox = new Inbox<>();
    org.eclipse.paho.client.mqttv3.MqttClient alice = connectV3(ALICE_DEVICE, "alice", aliceInbox);
    alice.setManualAcks(true);
    alice.subscribe("alice/#", 1);
    sut.publishAsAlice("alice/x", "secret", 5);
    aliceInbox.awaitCount(5);

    // Exercise
    Inbox<String> malloryInbox = new Inbox<>();
    org.eclipse.paho.client.mqttv3.MqttException refused = assertThrows(
        org.eclipse.paho.client.mqttv3.MqttException.class,
        () -> connectV3(ALICE_DEVICE, "mallory", malloryInbox));
    sut.publishAsAlice("alice/x", "after", 1);

    // Verify
    assertEquals(org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_INVALID_CLIENT_ID,
        refused.getReasonCode(), refused.toString());
    WireTap.Tapped mallory = connectionAs("mallory");
    assertEquals(List.of(new ConnAck(false, ReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
        org.ferrymq.packet.Properties.EMPTY)), mallory.toClient());
    assertTrue(malloryInbox.snapshot().isEmpty());
    aliceInbox.awaitMatching(m -> m.equals("alice/x:after-0"));
    assertTrue(alice.isConnected());
    assertEquals(1, sut.running().broker().authStats().takeoversRefused());
  }

  @Test
  @DisplayName("[MQTT-3.1.4-3] the owner taking its session over from another connection: "
      + "session present, the old connection gets DISCONNECT 0x8E, in-flight messages resent")
  void sameIdentityTakesOver() throws Exception {
    sut.start(new MemoryPersistence());
    Inbox<String> firstInbox = new Inbox<>();
    aliceDeviceHoldingFiveMessages(firstInbox);

    // Exercise
    Inbox<String> secondInbox = new Inbox<>();
    SecuredBroker.V5 second = sut.connectV5(ALICE_DEVICE, "alice", secondInbox,
        SecuredBroker::resumable);

    // Verify
    assertTrue(second.sessionPresent(), "[MQTT-3.2.2-2] session present");
    List<WireTap.Tapped> connections = sut.running().tap().connectionsOf(ALICE_DEVICE);
    Inbox.waiting().until(() -> connections.get(0).toClient().stream()
        .anyMatch(p -> p instanceof Disconnect d
            && d.reasonCode() == ReasonCode.SESSION_TAKEN_OVER));
    // [MQTT-4.4.0-1] the five unacknowledged messages are resent on the new connection
    assertEquals(List.of("alice/x:secret-0", "alice/x:secret-1", "alice/x:secret-2",
        "alice/x:secret-3", "alice/x:secret-4"), secondInbox.awaitCount(5));
    assertEquals(0, sut.running().broker().authStats().takeoversRefused());
  }

  @Test
  @DisplayName("Ownership survives a restart on the MVStore store: mallory is refused, alice "
      + "resumes her session with the messages queued for her")
  void ownershipSurvivesRestart() throws Exception {
    sut.start(MvStorePersistence.open(dir, PersistenceMode.PERSISTENT));
    MqttClient alice = sut.connectV5(ALICE_DEVICE, "alice", new Inbox<>(),
        SecuredBroker::resumable).client();
    alice.subscribe("alice/#", 1);
    alice.disconnect();
    sut.publishAsAlice("alice/x", "queued", 2);
    sut.stop();
    sut.start(MvStorePersistence.open(dir, PersistenceMode.PERSISTENT));

    // Exercise
    Inbox<String> malloryInbox = new Inbox<>();
    MqttException refused = assertThrows(MqttException.class, () -> sut.connectV5(ALICE_DEVICE,
        "mallory", malloryInbox, SecuredBroker::resumable));
    Inbox<String> aliceInbox = new Inbox<>();
    SecuredBroker.V5 resumed = sut.connectV5(ALICE_DEVICE, "alice", aliceInbox,
        SecuredBroker::resumable);

    // Verify
    assertEquals(0x85, refused.getReasonCode());
    assertTrue(connectionAs("mallory").publishesToClient().isEmpty());
    assertTrue(resumed.sessionPresent());
    assertEquals(List.of("alice/x:queued-0", "alice/x:queued-1"), aliceInbox.awaitCount(2));
  }

  @Test
  @DisplayName("A refused takeover does not end an offline owner's session either: mallory "
      + "with a clean start cannot discard alice's queued messages")
  void cleanStartOfAnotherUserDoesNotDiscardTheOwnersSession() throws Exception {
    sut.start(new MemoryPersistence());
    MqttClient alice = sut.connectV5(ALICE_DEVICE, "alice", new Inbox<>(),
        SecuredBroker::resumable).client();
    alice.subscribe("alice/#", 1);
    alice.disconnect();
    sut.publishAsAlice("alice/x", "queued", 1);

    // Exercise
    MqttException refused = assertThrows(MqttException.class, () -> sut.connectV5(ALICE_DEVICE,
        "mallory", new Inbox<>(), o -> o.setCleanStart(true)));
    Inbox<String> aliceInbox = new Inbox<>();
    SecuredBroker.V5 resumed = sut.connectV5(ALICE_DEVICE, "alice", aliceInbox,
        SecuredBroker::resumable);

    // Verify
    assertEquals(0x85, refused.getReasonCode());
    assertTrue(resumed.sessionPresent());
    assertEquals(List.of("alice/x:queued-0"), aliceInbox.awaitCount(1));
  }

  @Test
  @DisplayName("A session stored by an older FerryMQ (format 2, no owner) is claimed by the "
      + "first client to resume it, and after that refused to anyone else, across a restart")
  void sessionWithoutOwnerFromAnOlderStoreIsClaimedByItsFirstResumer() throws Exception {
    MvStorePersistence.open(dir, PersistenceMode.PERSISTENT).close();
    org.h2.mvstore.MVStore raw = org.h2.mvstore.MVStore.open(
        dir.resolve(MvStorePersistence.FILE_NAME).toString());
    // the names MvStorePersistence uses for its format entry and its sessions
    raw.<String, String>openMap("ferrymq.meta").put("format", "2");
    raw.<String, byte[]>openMap("sessions").put(ALICE_DEVICE, Version2Records.session(
        new StoredSession(ALICE_DEVICE, 5, 3_600, 1, List.of(), List.of(), 1, null, 0)));
    raw.close();
    sut.start(MvStorePersistence.open(dir, PersistenceMode.PERSISTENT));

    // Exercise
    SecuredBroker.V5 claimed = sut.connectV5(ALICE_DEVICE, "alice", new Inbox<>(),
        SecuredBroker::resumable);
    claimed.client().disconnect();
    sut.stop();
    sut.start(MvStorePersistence.open(dir, PersistenceMode.PERSISTENT));
    MqttException refused = assertThrows(MqttException.class, () -> sut.connectV5(ALICE_DEVICE,
        "mallory", new Inbox<>(), SecuredBroker::resumable));

    // Verify
    assertTrue(claimed.sessionPresent(), "the old session was resumed");
    assertEquals(0x85, refused.getReasonCode());
  }

  /** @return mallory's (only) connection as the wire tap recorded it */
  private WireTap.Tapped connectionAs(String user) {
    List<WireTap.Tapped> found = sut.running().tap().connectionsOf(ALICE_DEVICE).stream()
        .filter(c -> user.equals(c.connect().orElseThrow().username())).toList();
    assertEquals(1, found.size());
    Inbox.waiting().until(() -> !found.get(0).toClient().isEmpty());
    return found.get(0);
  }

  private org.eclipse.paho.client.mqttv3.MqttClient connectV3(String clientId, String user,
      Inbox<String> inbox) throws org.eclipse.paho.client.mqttv3.MqttException {
    org.eclipse.paho.client.mqttv3.MqttClient client =
        new org.eclipse.paho.client.mqttv3.MqttClient(sut.running().uri(), clientId,
            new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
    client.setTimeToWait(Inbox.TIMEOUT.toMillis());
    client.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
      }

      @Override
      public void messageArrived(String topic,
          org.eclipse.paho.client.mqttv3.MqttMessage message) {
        inbox.add(topic + ":" + new String(message.getPayload(), StandardCharsets.UTF_8));
      }

      @Override
      public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
      }
    });
    clients.add(() -> {
      if (client.isConnected()) {
        client.disconnect(1000);
      }
      client.close(true);
    });
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setCleanSession(false);
    options.setAutomaticReconnect(false);
    options.setUserName(user);
    options.setPassword((user + "-secret").toCharArray());
    client.connect(options);
    return client;
  }
}
