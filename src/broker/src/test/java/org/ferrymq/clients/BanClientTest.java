package org.ferrymq.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.ferrymq.engine.AuthRefusal;
import org.ferrymq.security.ban.Ban;
import org.ferrymq.security.ban.BanKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bans as independent clients meet them over a real socket: Paho v5 reads CONNACK 0x8A Banned,
 * Paho v3 return code 5, an address ban refuses 127.0.0.1, and a connected v5 client that a new
 * ban matches is disconnected with 0x98 Administrative action.
 */
class BanClientTest {
  private static final int BANNED = 0x8A;
  private static final int V3_NOT_AUTHORIZED = 5;
  private static final int ADMINISTRATIVE_ACTION = 0x98;

  @RegisterExtension
  final OpenClients open = new OpenClients();

  private RunningBroker sut;
  private SecurityClients clients;

  @BeforeEach
  void start() throws Exception {
    sut = RunningBroker.startTcp();
    clients = new SecurityClients(open, sut);
  }

  @AfterEach
  void stop() {
    sut.stop();
  }

  private void ban(BanKind kind, String value) {
    sut.broker().ban(new Ban(kind, value, "client test", Instant.now()));
  }

  @Test
  @DisplayName("[MQTT-3.2.2-7] Paho v5 reads CONNACK 0x8A for a banned client id and user name")
  void v5ClientSeesBanned() {
    ban(BanKind.CLIENT_ID, "banned-id");
    ban(BanKind.USERNAME, "banned-user");

    assertEquals(BANNED, clients.v5Connack("banned-id", null, o -> { }));
    assertEquals(BANNED, clients.v5Connack("fine-id", "banned-user", o -> { }));
    assertEquals(0, clients.v5Connack("fine-id", "fine-user", o -> { }));
    assertEquals(2, sut.broker().securityStats().authRefusals().get(AuthRefusal.BANNED));
  }

  @Test
  @DisplayName("[MQTT-3.2.2-6] Paho v3 reads return code 5 for a banned address range")
  void v3ClientSeesNotAuthorized() {
    ban(BanKind.ADDRESS, "127.0.0.0/8");

    assertEquals(V3_NOT_AUTHORIZED, clients.v3Connack("v3-client", null, o -> { }));
  }

  @Test
  @DisplayName("[MQTT-4.13.1-1] banning a connected Paho v5 client disconnects it with 0x98")
  void connectedClientIsDisconnected() throws Exception {
    MqttAsyncClient client = clients.v5("soon-banned", null, o -> { }, new Inbox<>());
    CompletableFuture<Integer> disconnect = new CompletableFuture<>();
    client.setCallback(new DisconnectReason(disconnect));

    ban(BanKind.CLIENT_ID, "soon-banned");

    assertEquals(ADMINISTRATIVE_ACTION, disconnect.get(10, TimeUnit.SECONDS));
    MqttException refused = assertThrows(MqttException.class,
        () -> clients.v5("soon-banned", null, o -> { }, new Inbox<>()));
    assertEquals(BANNED, refused.getReasonCode());
  }

  /** Completes with the reason code of the server's DISCONNECT. */
  private record DisconnectReason(CompletableFuture<Integer> reason) implements MqttCallback {
    @Override
    public void disconnected(MqttDisconnectResponse response) {
      reason.complete(response.getReturnCode());
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
    }
  }
}
