package org.ferrymq.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Set;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.ferrymq.engine.ClientSummary;
import org.ferrymq.security.acl.AclParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ACL subjects are the registry's canonical user name, and {@code %u}/{@code %c} cannot be
 * abused: over real sockets with Paho v5 and v3, users from an LDAP-like directory that accepts
 * {@code ALICE} and {@code alice } for {@code alice}, through the broker's own authenticator.
 * Every refusal here was a grant before issue 15's fix. MQTT 5 refusals: SUBACK/PUBACK 0x87
 * Not authorized; MQTT 3.1.1: SUBACK 0x80 Failure [MQTT-3.9.3-2].
 */
class CanonicalIdentityClientTest {

  private static final int NOT_AUTHORIZED = 0x87;
  private static final int V3_FAILURE = 0x80;
  /** PUBACK of an accepted message no one subscribed to. */
  private static final int NO_MATCHING_SUBSCRIBERS = 0x10;

  @RegisterExtension
  final OpenClients open = new OpenClients();

  private RunningBroker sut;
  private SecurityClients clients;

  @AfterEach
  void stop() {
    if (sut != null) {
      sut.stop();
    }
  }

  private void start(String aclText) throws Exception {
    LdapLikeDirectory directory = new LdapLikeDirectory(Map.of("alice", Set.of(),
        "bob", Set.of(), "%c", Set.of(), "%u", Set.of()));
    sut = RunningBroker.startTcp(b -> b.authenticator(directory.authenticator())
        .authorizer(AclParser.parse(aclText, false)));
    clients = new SecurityClients(open, sut);
  }

  private String usernameOf(String clientId) {
    return sut.broker().clients().stream().filter(c -> c.clientId().equals(clientId))
        .map(ClientSummary::username).findFirst().orElseThrow();
  }

  @Test
  @DisplayName("'ALICE' and 'alice ' log in as the registry's alice and get exactly alice's"
      + " rules: her deny applies, her %u pattern names alice")
  void caseAndWhitespaceVariantsAreTheCanonicalUser() throws Exception {
    start("""
        topic readwrite sensors/#
        pattern readwrite users/%u/#
        user alice
        topic deny sensors/private/#
        """);

    // Exercise
    MqttAsyncClient upper = clients.v5("upper", "ALICE", o -> { }, new Inbox<>());
    var spaced = clients.v3("spaced", "alice ", o -> { });

    // Verify: the deny in 'user alice' applies to both spellings
    assertEquals("alice", usernameOf("upper"), "the identity carries the registry's name");
    assertEquals("alice", usernameOf("spaced"));
    assertEquals(NOT_AUTHORIZED, SecurityClients.subscribe(upper, "sensors/private/#"));
    assertEquals(NOT_AUTHORIZED, SecurityClients.publish(upper, "sensors/private/x", "leak"));
    assertEquals(V3_FAILURE, SecurityClients.subscribe(spaced, "sensors/private/#"));
    // ... and %u is alice's own subtree, not users/ALICE/#
    assertEquals(NO_MATCHING_SUBSCRIBERS, SecurityClients.publish(upper, "users/alice/out", "x"));
    assertEquals(NOT_AUTHORIZED, SecurityClients.publish(upper, "users/ALICE/out", "x"));
    assertEquals(1, SecurityClients.subscribe(upper, "sensors/public/#"), "the general grant "
        + "still applies where alice's section is silent");
  }

  @Test
  @DisplayName("client ids '+', '#', 'victim/x' and '$SYS' and users named '%c' and '%u' gain"
      + " nothing from %c/%u patterns; an ordinary client id keeps its own subtree")
  void patternCharactersInNamesGainNothing() throws Exception {
    start("""
        pattern readwrite clients/%c/#
        pattern readwrite users/%u/#
        pattern read %c/#
        """);

    // Exercise + Verify: wildcard client ids
    MqttAsyncClient plus = clients.v5("+", "bob", o -> { }, new Inbox<>());
    assertEquals(NOT_AUTHORIZED, SecurityClients.subscribe(plus, "clients/victim/#"));
    assertEquals(NOT_AUTHORIZED, SecurityClients.publish(plus, "clients/victim/x", "x"));
    var hash = clients.v3("#", "bob", o -> { });
    assertEquals(V3_FAILURE, SecurityClients.subscribe(hash, "clients/victim/#"));
    // a client id with a level separator reaches no deeper into another's subtree
    MqttAsyncClient deeper = clients.v5("victim/x", "bob", o -> { }, new Inbox<>());
    assertEquals(NOT_AUTHORIZED, SecurityClients.publish(deeper, "clients/victim/x/y", "x"));
    // a client id '$SYS' does not turn 'pattern read %c/#' into read on $SYS/#
    MqttAsyncClient sys = clients.v5("$SYS", "bob", o -> { }, new Inbox<>());
    assertEquals(NOT_AUTHORIZED, SecurityClients.subscribe(sys, "$SYS/#"));
    // users named '%c' and '%u': the value is inserted once, never substituted again
    MqttAsyncClient percentC = clients.v5("victim", "%c", o -> { }, new Inbox<>());
    assertEquals(NOT_AUTHORIZED, SecurityClients.publish(percentC, "users/victim/inbox", "x"));
    MqttAsyncClient percentU = clients.v5("pu", "%u", o -> { }, new Inbox<>());
    assertEquals(NOT_AUTHORIZED, SecurityClients.publish(percentU, "users/bob/inbox", "x"));
    assertEquals(NO_MATCHING_SUBSCRIBERS, SecurityClients.publish(percentU, "users/%u/inbox",
        "x"), "a name with % is an ordinary level: the user '%u' owns users/%u/ literally");

    // Control: an ordinary client id has its subtree
    MqttAsyncClient victim = clients.v5("victim-2", "bob", o -> { }, new Inbox<>());
    assertEquals(NO_MATCHING_SUBSCRIBERS,
        SecurityClients.publish(victim, "clients/victim-2/x", "x"));
    assertEquals(NO_MATCHING_SUBSCRIBERS, SecurityClients.publish(victim, "users/bob/x", "x"));
  }
}
