package org.ferrymq.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.ferrymq.engine.AclDirection;
import org.ferrymq.engine.SecurityStats;
import org.ferrymq.security.Authorizer;
import org.ferrymq.security.ClientIdentity;
import org.ferrymq.security.acl.Acl;
import org.ferrymq.security.acl.AclParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Will is a PUBLISH made later by the server, and gets every check a PUBLISH gets: at CONNECT
 * (refused with CONNACK 0x90 / 0x87, MQTT 3.1.1 return code 5) and again when it is due. Over
 * real sockets with Paho v5 and v3; the users come from an LDAP-like directory through the
 * broker's own authenticator.
 */
class WillSecurityClientTest {

  private static final int TOPIC_NAME_INVALID = 0x90;
  private static final int NOT_AUTHORIZED = 0x87;
  private static final int V3_NOT_AUTHORIZED = MqttException.REASON_CODE_NOT_AUTHORIZED;

  @RegisterExtension
  final OpenClients open = new OpenClients();

  private final AtomicReference<Acl> acl = new AtomicReference<>();
  private RunningBroker sut;
  private SecurityClients clients;

  @AfterEach
  void stop() {
    if (sut != null) {
      sut.stop();
    }
  }

  /** Starts a broker whose ACL the test can replace while clients are connected. */
  private void start(String aclText, String... settings) throws Exception {
    acl.set(AclParser.parse(aclText, false));
    Authorizer current = new Authorizer() {
      @Override
      public boolean canPublish(ClientIdentity client, String topic) {
        return acl.get().canPublish(client, topic);
      }

      @Override
      public boolean canSubscribe(ClientIdentity client, String filter) {
        return acl.get().canSubscribe(client, filter);
      }

      @Override
      public boolean canReceive(ClientIdentity client, String topic) {
        return acl.get().canReceive(client, topic);
      }
    };
    LdapLikeDirectory directory = new LdapLikeDirectory(Map.of("alice", Set.of(),
        "bob", Set.of(), "watcher", Set.of()));
    sut = RunningBroker.startTcp(b -> b.authenticator(directory.authenticator())
        .authorizer(current), settings);
    clients = new SecurityClients(open, sut);
  }

  private SecurityStats security() {
    return sut.broker().securityStats();
  }

  @Test
  @DisplayName("a Will to $SYS/broker/version (retained) is refused at CONNECT: MQTT 5 CONNACK"
      + " 0x90 Topic Name invalid, 3.1.1 return code 5; no session is made [MQTT-3.2.2-7]"
      + " [MQTT-3.2.2-5]")
  void willToSysTopicIsRefused() throws Exception {
    start("topic readwrite #");

    // Exercise: the attack of issue 15, with a user the ACL lets write everywhere
    int v5 = clients.v5Connack("sys-v5", "alice", o -> o.setWill("$SYS/broker/version",
        SecurityClients.will("pwned", 1, true)));
    int v3 = clients.v3Connack("sys-v3", "alice", o -> o.setWill("$SYS/broker/version",
        "pwned".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, true));
    int otherDollar = clients.v5Connack("dollar-v5", "alice", o -> o.setWill("$share/x",
        SecurityClients.will("pwned", 0, false)));

    // Verify
    assertEquals(TOPIC_NAME_INVALID, v5, "CONNACK reason code");
    assertEquals(V3_NOT_AUTHORIZED, v3, "3.1.1 CONNACK return code");
    assertEquals(TOPIC_NAME_INVALID, otherDollar, "any topic starting with $");
    assertFalse(sut.hasSession("sys-v5") || sut.hasSession("sys-v3"));
    assertEquals(3L, security().willsRefused());
    assertEquals(0, clients.v5Connack("fine-v5", "alice", o -> o.setWill("alice/status",
        SecurityClients.will("gone", 1, true))), "the same Will on a plain topic is accepted");
  }

  @Test
  @DisplayName("a Will beyond mqtt.max-topic-levels or mqtt.max-topic-length is refused like a"
      + " PUBLISH would be: 0x90 / return code 5")
  void willBeyondTopicLimitsIsRefused() throws Exception {
    start("topic readwrite #", "mqtt.max-topic-levels", "3", "mqtt.max-topic-length", "20");

    // Exercise
    int tooDeep = clients.v5Connack("deep-v5", "alice",
        o -> o.setWill("a/b/c/d", SecurityClients.will("x", 0, false)));
    int tooLong = clients.v5Connack("long-v5", "alice",
        o -> o.setWill("x".repeat(21), SecurityClients.will("x", 0, false)));
    int tooDeepV3 = clients.v3Connack("deep-v3", "alice",
        o -> o.setWill("a/b/c/d", new byte[] {1}, 0, false));
    int atTheLimits = clients.v5Connack("edge-v5", "alice",
        o -> o.setWill("a/b/" + "c".repeat(16), SecurityClients.will("x", 0, false)));

    // Verify
    assertEquals(TOPIC_NAME_INVALID, tooDeep);
    assertEquals(TOPIC_NAME_INVALID, tooLong);
    assertEquals(V3_NOT_AUTHORIZED, tooDeepV3);
    assertEquals(0, atTheLimits, "3 levels and 20 characters are within the limits");
    assertEquals(3L, security().willsRefused());
  }

  @Test
  @DisplayName("a Will the ACL denies is refused at CONNECT: 0x87 Not authorized / return code"
      + " 5, counted as an ACL denial of direction will")
  void willTheAclDeniesIsRefusedAtConnect() throws Exception {
    start("""
        user alice
        topic readwrite alice/#
        topic deny alice/secret/#
        """);

    // Exercise
    int v5 = clients.v5Connack("acl-v5", "alice",
        o -> o.setWill("alice/secret/x", SecurityClients.will("x", 0, false)));
    int v3 = clients.v3Connack("acl-v3", "alice",
        o -> o.setWill("bob/status", new byte[] {1}, 0, false));
    int allowed = clients.v5Connack("acl-ok", "alice",
        o -> o.setWill("alice/status", SecurityClients.will("x", 0, false)));

    // Verify
    assertEquals(NOT_AUTHORIZED, v5);
    assertEquals(V3_NOT_AUTHORIZED, v3);
    assertEquals(0, allowed);
    assertEquals(2L, security().aclDenials().get(AclDirection.WILL));
    assertEquals(2L, security().willsRefused());
  }

  @Test
  @DisplayName("a Will whose right was removed after CONNECT is not published when the"
      + " connection dies; it is dropped and counted, while a Will still allowed is published"
      + " [MQTT-3.1.2-8]")
  void willWhoseRightWasRemovedIsDropped() throws Exception {
    start("""
        topic read #
        user alice
        topic readwrite alice/#
        user bob
        topic readwrite bob/#
        """);
    Inbox<String> seen = new Inbox<>();
    MqttAsyncClient watcher = clients.v5("watcher", "watcher", o -> { }, seen);
    assertEquals(1, SecurityClients.subscribe(watcher, "+/status"));
    KillableSocketFactory aliceSocket = new KillableSocketFactory();
    KillableSocketFactory bobSocket = new KillableSocketFactory();
    clients.v5("alice-1", "alice", o -> {
      o.setSocketFactory(aliceSocket);
      o.setWill("alice/status", SecurityClients.will("alice gone", 1, true));
    }, new Inbox<>());
    clients.v5("bob-1", "bob", o -> {
      o.setSocketFactory(bobSocket);
      o.setWill("bob/status", SecurityClients.will("bob gone", 1, false));
    }, new Inbox<>());

    // Exercise: alice loses the right to write alice/#, then both connections die without
    // DISCONNECT
    acl.set(AclParser.parse("""
        topic read #
        user bob
        topic readwrite bob/#
        """, false));
    aliceSocket.kill(true);
    bobSocket.kill(true);

    // Verify
    Inbox.waiting().until(() -> security().willsDropped() == 1L);
    List<String> got = seen.awaitMatching("bob/status=bob gone"::equals);
    assertEquals(List.of("bob/status=bob gone"), got, "only the Will still allowed");
    assertEquals(1L, security().aclDenials().get(AclDirection.WILL));
  }

  @Test
  @DisplayName("a Will payload counts against mqtt.max-packet-size: a CONNECT whose Will makes"
      + " it larger is refused before it is read (3.2.2.3.6), no session is made")
  void willPayloadCountsAgainstTheMaximumPacketSize() throws Exception {
    start("topic readwrite #", "mqtt.max-packet-size", "1024");

    // Exercise
    int big = clients.v5Connack("big-v5", "alice", o -> o.setWill("alice/status",
        SecurityClients.will("x".repeat(1100), 0, false)));
    int small = clients.v5Connack("small-v5", "alice", o -> o.setWill("alice/status",
        SecurityClients.will("x".repeat(900), 0, false)));

    // Verify
    assertNotEquals(0, big, "refused");
    assertFalse(sut.hasSession("big-v5"));
    assertEquals(0, small, "the same CONNECT with a Will that fits is accepted");
  }
}
