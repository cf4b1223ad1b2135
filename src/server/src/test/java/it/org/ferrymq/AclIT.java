package it.org.ferrymq;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.Test;

/**
 * Topic ACLs on the running server (src/test/liberty/acl.txt): everything below acl/ is denied
 * unless a rule grants it; alice owns acl/alice/#, group sensors acl/sensors/#, and every client
 * its acl/clients/&lt;client id&gt;/# tree. Checked on PUBLISH, SUBSCRIBE and the Will.
 */
class AclIT extends ServerIT {

  private static final String TCP = "tcp://localhost:" + MQTT_PORT;

  @Test
  void publishAllowedForTheOwnerAndDroppedForOthers() throws Exception {
    MqttClient alice = AuthenticationIT.connect(TCP, "alice", "alice-secret", null);
    MqttClient bob = AuthenticationIT.connect(TCP, "bob", "bob-secret", null);
    try {
      BlockingQueue<MqttMessage> atAlice = Clients.subscribe(alice, "acl/alice/inbox", 1);

      // Exercise: bob's publish is dropped (MQTT 3.1.1 has no negative PUBACK), alice's arrives
      bob.publish("acl/alice/inbox", bytes("from bob"), 1, false);
      alice.publish("acl/alice/inbox", bytes("from alice"), 1, false);

      // Verify
      MqttMessage first = atAlice.poll(10, TimeUnit.SECONDS);
      assertNotNull(first);
      assertEquals("from alice", new String(first.getPayload(), StandardCharsets.UTF_8));
      assertNull(atAlice.poll(1, TimeUnit.SECONDS), "bob's publish was delivered");
    } finally {
      Clients.close(alice);
      Clients.close(bob);
    }
  }

  @Test
  void subscribeAllowedAndDeniedWithReturnCode0x80() throws Exception {
    MqttClient alice = AuthenticationIT.connect(TCP, "alice", "alice-secret", null);
    MqttClient anonymous = Clients.connect(TCP, null);
    try {
      assertEquals(1, AuthenticationIT.grantedQos(alice, "acl/alice/#"));
      assertEquals(128, AuthenticationIT.grantedQos(alice, "acl/sensors/#"));
      assertEquals(128, AuthenticationIT.grantedQos(anonymous, "acl/alice/#"));
      // %c: every client owns acl/clients/<its id>/#, and only that tree
      assertEquals(1, AuthenticationIT.grantedQos(anonymous,
          "acl/clients/" + anonymous.getClientId() + "/#"));
      assertEquals(128, AuthenticationIT.grantedQos(anonymous, "acl/clients/someone-else/#"));
      // topics no rule decides follow the dev profile's default: allowed
      assertEquals(1, AuthenticationIT.grantedQos(anonymous, "it/acl/free"));
    } finally {
      Clients.close(alice);
      Clients.close(anonymous);
    }
  }

  /**
   * Issue 15's tricks on the running server: "ALICE" logs in as alice in the case-insensitive
   * registry and gets exactly alice's rules, not the rules of a user "ALICE" nor a pass around
   * hers; a client id that is a wildcard cannot widen the %c pattern to every client's tree.
   */
  @Test
  void caseAndPatternTricksInNamesGainNothing() throws Exception {
    MqttClient upper = AuthenticationIT.connect(TCP, "ALICE", "alice-secret", null);
    MqttClient wildcard = new MqttClient(TCP, "+", new org.eclipse.paho.client.mqttv3.persist
        .MemoryPersistence());
    wildcard.connect();
    try {
      assertEquals(1, AuthenticationIT.grantedQos(upper, "acl/alice/#"), "alice's own rule");
      assertEquals(128, AuthenticationIT.grantedQos(upper, "acl/sensors/#"));
      // acl/clients/%c/# with %c = "+" would be every client's tree: the pattern does not apply
      assertEquals(128, AuthenticationIT.grantedQos(wildcard, "acl/clients/+/#"));
      assertEquals(128, AuthenticationIT.grantedQos(wildcard, "acl/clients/someone-else/#"));
    } finally {
      Clients.close(upper);
      Clients.close(wildcard);
    }
  }

  @Test
  void willTopicIsCheckedAtConnect() throws Exception {
    MqttException refused = assertThrows(MqttException.class,
        () -> AuthenticationIT.connect(TCP, null, null, null, "acl/alice/will"));
    assertEquals(5, refused.getReasonCode());

    MqttClient alice = AuthenticationIT.connect(TCP, "alice", "alice-secret", null,
        "acl/alice/will");
    Clients.close(alice);
  }

  @Test
  void willToSysTopicIsRefusedAndCounted() throws Exception {
    long refusedBefore = gauge("ferrymq_wills_refused_total");

    // Exercise: issue 15's attack, by a user the ACL lets write its own tree
    MqttException refused = assertThrows(MqttException.class,
        () -> AuthenticationIT.connect(TCP, "alice", "alice-secret", null,
            "$SYS/broker/version"));

    // Verify: 3.1.1 return code 5 (MQTT 5 gets 0x90, WillSecurityClientTest)
    assertEquals(5, refused.getReasonCode());
    // a counter, which follows the broker's count within a second
    await().atMost(Duration.ofSeconds(10))
        .until(() -> gauge("ferrymq_wills_refused_total") == refusedBefore + 1);
    // the labelled counters are exported (gauge() fails when a sample is missing)
    gauge("ferrymq_auth_refusals_by_reason_total{", "reason=\"bad_credentials\"");
    gauge("ferrymq_acl_denials_total{", "direction=\"will\"");
  }

  /**
   * Issue 15's takeover on the running server, with Paho v5: bob, with his own valid password,
   * presents the client id of alice's persistent session. He gets CONNACK 0x85 [MQTT-3.1.3-5];
   * alice stays connected and keeps receiving; the refusal is counted. Alice herself may take
   * the session over [MQTT-3.1.4-3].
   */
  @Test
  void anotherUsersTakeoverIsRefusedAndTheOwnerKeepsReceiving() throws Exception {
    String id = "it-owned-" + java.util.UUID.randomUUID();
    long refusedBefore = gauge("ferrymq_takeovers_refused_total");
    java.util.concurrent.LinkedBlockingQueue<String> aliceGot =
        new java.util.concurrent.LinkedBlockingQueue<>();
    org.eclipse.paho.mqttv5.client.MqttClient alice = v5(id, "alice", "alice-secret");
    try {
      alice.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
          new org.eclipse.paho.mqttv5.common.MqttSubscription("acl/alice/owned/#", 1)},
          new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {
              (topic, m) -> aliceGot.add(new String(m.getPayload(), StandardCharsets.UTF_8))});

      // Exercise
      org.eclipse.paho.mqttv5.common.MqttException refused = assertThrows(
          org.eclipse.paho.mqttv5.common.MqttException.class, () -> v5(id, "bob", "bob-secret"));

      // Verify
      assertEquals(0x85, refused.getReasonCode());
      org.junit.jupiter.api.Assertions.assertTrue(alice.isConnected(), "the owner stays");
      MqttClient publisher = AuthenticationIT.connect(TCP, "alice", "alice-secret", null);
      try {
        publisher.publish("acl/alice/owned/x", new MqttMessage(bytes("after")));
      } finally {
        Clients.close(publisher);
      }
      assertEquals("after", aliceGot.poll(10, TimeUnit.SECONDS));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> gauge("ferrymq_takeovers_refused_total") == refusedBefore + 1);
      org.eclipse.paho.mqttv5.client.MqttClient again = v5(id, "alice", "alice-secret");
      org.junit.jupiter.api.Assertions.assertTrue(again.isConnected(), "the owner takes over");
      again.disconnect();
      again.close();
    } finally {
      try {
        alice.disconnectForcibly(1_000);
      } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
        // taken over by its own owner already
      }
      alice.close();
    }
  }

  private static org.eclipse.paho.mqttv5.client.MqttClient v5(String id, String user,
      String password) throws org.eclipse.paho.mqttv5.common.MqttException {
    org.eclipse.paho.mqttv5.client.MqttClient c = new org.eclipse.paho.mqttv5.client.MqttClient(
        TCP, id, new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    org.eclipse.paho.mqttv5.client.MqttConnectionOptions o =
        new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
    o.setCleanStart(false);
    o.setSessionExpiryInterval(300L);
    o.setUserName(user);
    o.setPassword(password.getBytes(StandardCharsets.UTF_8));
    o.setConnectionTimeout(10);
    try {
      c.connect(o);
    } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
