package org.ferrymq.clients;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.security.AuthenticationResult;
import org.ferrymq.security.Authorizer;
import org.ferrymq.security.ClientIdentity;
import org.ferrymq.security.acl.Acl;
import org.ferrymq.security.acl.AclParser;

/**
 * A broker as the secure profile runs it, for the attacker tests: users with passwords (alice,
 * mallory, bob), an ACL that denies what no rule grants and that a test may replace between
 * connections (as an operator editing the ACL would), and Paho v5 clients that log in.
 */
final class SecuredBroker {
  /** Each user's own topic tree, as in the attacker test of issue 15. */
  static final String OWN_TREES = """
      user alice
      topic readwrite alice/#
      user mallory
      topic readwrite mallory/#
      """;

  private static final Map<String, String> PASSWORDS =
      Map.of("alice", "alice-secret", "mallory", "mallory-secret", "bob", "bob-secret");

  private final AtomicReference<Acl> acl = new AtomicReference<>(AclParser.parse(OWN_TREES, false));
  private final OpenClients clients;
  private RunningBroker running;

  SecuredBroker(OpenClients clients) {
    this.clients = clients;
  }

  /** Starts (or, after {@link #stop}, starts again) on the given store. */
  SecuredBroker start(Persistence store, String... settings) throws IOException {
    running = RunningBroker.startTcp(b -> b.authenticator(SecuredBroker::authenticate)
        .authorizer(authorizer()).persistence(store), settings);
    return this;
  }

  void stop() {
    if (running != null) {
      running.stop();
      running = null;
    }
  }

  RunningBroker running() {
    return running;
  }

  /** Replaces the ACL (secure profile: what no rule grants is denied). */
  void acl(String rules) {
    acl.set(AclParser.parse(rules, false));
  }

  private static AuthenticationResult authenticate(org.ferrymq.security.ConnectRequest r) {
    String expected = r.username() == null ? null : PASSWORDS.get(r.username());
    if (expected == null || r.password() == null || !Arrays.equals(
        expected.getBytes(StandardCharsets.UTF_8), r.password())) {
      return new AuthenticationResult.Failure(ReasonCode.BAD_USER_NAME_OR_PASSWORD,
          "bad user name or password");
    }
    return new AuthenticationResult.Success(new ClientIdentity(r.clientId(), r.username(),
        Set.of()));
  }

  private Authorizer authorizer() {
    return new Authorizer() {
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
  }

  /** A persistent session (one hour), as alice's device keeps. */
  static void resumable(MqttConnectionOptions o) {
    o.setCleanStart(false);
    o.setSessionExpiryInterval(3_600L);
  }

  /** A connected Paho v5 client and what its CONNACK said. */
  record V5(MqttClient client, boolean sessionPresent) {
  }

  /**
   * Connects a Paho v5 client logged in as {@code user}; messages arrive in {@code inbox} as
   * {@code topic:payload}.
   *
   * @throws MqttException when the broker refuses the CONNECT (its reason code)
   */
  V5 connectV5(String clientId, String user, Inbox<String> inbox,
      Consumer<MqttConnectionOptions> customise) throws MqttException {
    MqttClient client = new MqttClient(running.uri(), clientId,
        new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    client.setTimeToWait(Inbox.TIMEOUT.toMillis());
    client.setCallback(new PahoV5Arrivals((topic, message) ->
        inbox.add(topic + ":" + new String(message.getPayload(), StandardCharsets.UTF_8))));
    clients.add(() -> {
      if (client.isConnected()) {
        client.disconnect(1000);
      }
      client.close(true);
    });
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    options.setAutomaticReconnect(false);
    options.setConnectionTimeout(10);
    options.setKeepAliveInterval(30);
    options.setUserName(user);
    options.setPassword(PASSWORDS.get(user).getBytes(StandardCharsets.UTF_8));
    customise.accept(options);
    IMqttToken connected = client.connectWithResult(options);
    return new V5(client, connected.getSessionPresent());
  }

  /** @return a PUBLISH packet's payload as text */
  static String payload(org.ferrymq.packet.Publish p) {
    return new String(p.payload(), StandardCharsets.UTF_8);
  }

  /** Publishes {@code count} QoS 1 messages {@code prefix-0..} as alice's second client. */
  void publishAsAlice(String topic, String prefix, int count) throws MqttException {
    MqttClient publisher = connectV5("alice-pub-" + prefix, "alice", new Inbox<>(), o -> { })
        .client();
    for (int i = 0; i < count; i++) {
      MqttMessage m = new MqttMessage((prefix + "-" + i).getBytes(StandardCharsets.UTF_8));
      m.setQos(1);
      publisher.publish(topic, m);
    }
    publisher.disconnect();
  }
}
