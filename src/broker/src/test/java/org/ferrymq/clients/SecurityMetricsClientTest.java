package org.ferrymq.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.ferrymq.engine.AclDirection;
import org.ferrymq.engine.AuthRefusal;
import org.ferrymq.engine.SecurityStats;
import org.ferrymq.security.acl.AclParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The security counters behind {@code ferrymq_auth_refusals_by_reason{reason}} and
 * {@code ferrymq_acl_denials{direction}}: each refusal a Paho client meets over a real socket is
 * counted once, under its reason or direction, and the older counters keep counting.
 */
class SecurityMetricsClientTest {

  private static final int BAD_CREDENTIALS = 0x86;
  private static final int NOT_AUTHORIZED = 0x87;
  private static final int SERVER_UNAVAILABLE = 0x88;
  private static final int BAD_AUTHENTICATION_METHOD = 0x8C;
  private static final int CONNECTION_RATE_EXCEEDED = 0x9F;

  @RegisterExtension
  final OpenClients open = new OpenClients();

  private RunningBroker sut;
  private SecurityClients clients;

  @BeforeEach
  void start() throws Exception {
    LdapLikeDirectory directory = new LdapLikeDirectory(Map.of("writer", Set.of(),
        "reader", Set.of()));
    sut = RunningBroker.startTcp(b -> b.authenticator(directory.authenticator())
        .authorizer(AclParser.parse("""
            user writer
            topic write #
            user reader
            topic read public/#
            """, false)), "mqtt.auth.throttle.failures", "3");
    clients = new SecurityClients(open, sut);
  }

  @AfterEach
  void stop() {
    sut.stop();
  }

  private SecurityStats security() {
    return sut.broker().securityStats();
  }

  @Test
  @DisplayName("ACL denials are counted by direction: publish, subscribe, deliver, will")
  void aclDenialsAreCountedByDirection() throws Exception {
    Inbox<String> readerInbox = new Inbox<>();
    MqttAsyncClient reader = clients.v5("reader-1", "reader", o -> { }, readerInbox);
    MqttAsyncClient writer = clients.v5("writer-1", "writer", o -> { }, new Inbox<>());

    // Exercise: one refusal of each direction
    assertEquals(1, SecurityClients.subscribe(reader, "#"), "granted: it shares public/#");
    assertEquals(NOT_AUTHORIZED, SecurityClients.subscribe(reader, "private/#"));
    assertEquals(NOT_AUTHORIZED, SecurityClients.publish(reader, "public/x", "no write"));
    assertEquals(0, SecurityClients.publish(writer, "private/x", "withheld"));
    assertEquals(0, SecurityClients.publish(writer, "public/x", "marker"));
    readerInbox.awaitMatching("public/x=marker"::equals);
    assertEquals(NOT_AUTHORIZED, clients.v5Connack("reader-2", "reader",
        o -> o.setWill("private/x", SecurityClients.will("x", 0, false))));

    // Verify
    assertEquals(List.of("public/x=marker"), readerInbox.snapshot(),
        "the withheld message did not arrive");
    Map<AclDirection, Long> denials = security().aclDenials();
    assertEquals(Map.of(AclDirection.PUBLISH, 1L, AclDirection.SUBSCRIBE, 1L,
        AclDirection.DELIVER, 1L, AclDirection.WILL, 1L), denials);
    assertEquals(1L, security().willsRefused());
  }

  @Test
  @DisplayName("login refusals are counted by reason: server unavailable, bad authentication"
      + " method, bad credentials, throttled; ferrymq_auth_failures keeps counting")
  void loginRefusalsAreCountedByReason() throws Exception {
    // Exercise: the directory cannot answer for 'down'; an unknown Authentication Method
    assertEquals(SERVER_UNAVAILABLE, clients.v5Connack("down-1", "down", o -> { }));
    assertEquals(BAD_AUTHENTICATION_METHOD, clients.v5Connack("method-1", "writer",
        o -> o.setAuthMethod("NO-SUCH-METHOD")));
    // wrong passwords until the throttle refuses unchecked (3 failures start an episode)
    List<Integer> codes = new ArrayList<>();
    for (int i = 0; i < 20 && !codes.contains(CONNECTION_RATE_EXCEEDED); i++) {
      codes.add(clients.v5Connack("guess-" + i, "writer",
          o -> o.setPassword("wrong".getBytes(StandardCharsets.UTF_8))));
    }
    int v3Throttled = clients.v3Connack("guess-v3", "writer",
        o -> o.setPassword("wrong".toCharArray()));

    // Verify
    long badCredentials = codes.stream().filter(c -> c == BAD_CREDENTIALS).count();
    long throttled = codes.stream().filter(c -> c == CONNECTION_RATE_EXCEEDED).count();
    assertTrue(badCredentials >= 3 && throttled == 1, "codes " + codes);
    // Return code 5 while the back-off lasts; 4 if the machine was slow enough for it to end
    assertTrue(v3Throttled == 5 || v3Throttled == 4, "3.1.1 return code " + v3Throttled);
    if (v3Throttled == 5) {
      throttled++;
    } else {
      badCredentials++;
    }
    Map<AuthRefusal, Long> refusals = security().authRefusals();
    assertEquals(1L, refusals.get(AuthRefusal.SERVER_UNAVAILABLE));
    assertEquals(1L, refusals.get(AuthRefusal.BAD_AUTHENTICATION_METHOD));
    assertEquals(badCredentials, refusals.get(AuthRefusal.BAD_CREDENTIALS));
    assertEquals(throttled, refusals.get(AuthRefusal.THROTTLED));
    assertEquals(0L, refusals.get(AuthRefusal.NOT_AUTHORIZED));
    assertEquals(badCredentials, sut.broker().authStats().failures(), "ferrymq_auth_failures");
    assertEquals(throttled, sut.broker().authStats().throttled(), "ferrymq_auth_throttled");
  }
}
