package org.ferrymq.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.security.OriginPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code Origin} check of the WebSocket listeners, over real sockets: a browser sends the
 * page's origin with every WebSocket it opens (RFC 6455 4.1, 10.2), so a page of any site could
 * otherwise drive the broker with the user's client certificate. The listener here allows its
 * own host and {@code https://app.example.com} ({@code mqtt.websocket.allowed-origins}).
 */
class WebSocketOriginTest {
  private static final String HOST = "127.0.0.1";
  private static final OriginPolicy POLICY = OriginPolicy.parse("https://app.example.com",
      "mqtt.websocket.allowed-origins");

  private static final ExecutorService threads = Executors.newCachedThreadPool();
  private static MqttBroker broker;
  private static MqttServer server;
  private static BoundListener ws;
  private final List<Socket> opened = new ArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    broker = MqttBroker.builder().build();
    broker.start();
    server = new MqttServer(broker, threads, 1);
    ws = server.bind(ListenerSettings.tcp(HOST, 0).withWebSocket(
        WebSocketSettings.forMaxPacketSize(broker.config().maxPacketSize())
            .withOriginCheck(POLICY::allows)));
  }

  @AfterAll
  static void stop() {
    server.close();
    broker.stop();
    threads.shutdownNow();
  }

  @AfterEach
  void close() throws IOException {
    for (Socket s : opened) {
      s.close();
    }
  }

  private RawWebSocket upgradeFrom(String origin) throws IOException {
    Socket socket = new Socket();
    opened.add(socket);
    socket.connect(new InetSocketAddress(HOST, ws.port()), 5_000);
    socket.setSoTimeout(10_000);
    return RawWebSocket.upgradeFrom(socket, "/mqtt", origin, "mqtt");
  }

  @ParameterizedTest(name = "Origin: {0}")
  @ValueSource(strings = {"", "http://127.0.0.1:9080", "https://127.0.0.1",
      "https://app.example.com", "HTTPS://APP.EXAMPLE.COM:443"})
  @DisplayName("no Origin (not a browser), the broker's own host on any port, and a listed "
      + "origin open an MQTT WebSocket")
  void allowedOriginsUpgradeAndSpeakMqtt(String origin) throws Exception {
    RawWebSocket client = upgradeFrom(origin.isEmpty() ? null : origin);

    assertEquals(101, client.status());
    client.sendPackets(ProtocolVersion.MQTT_3_1_1, new Connect(ProtocolVersion.MQTT_3_1_1,
        "origin-ok-" + Math.abs(origin.hashCode()), true, 60, null, null, null,
        Properties.EMPTY));
    assertEquals(ReasonCode.SUCCESS, client.read(ConnAck.class).reasonCode());
  }

  @ParameterizedTest(name = "Origin: {0}")
  @ValueSource(strings = {"https://evil.example", "http://app.example.com",
      "https://app.example.com:8443", "https://127.0.0.1.evil.example", "null",
      "https://app.example.com/path"})
  @DisplayName("RFC 6455 4.2.2: a page of any other origin gets 403 before the handshake; the "
      + "engine never sees a connection")
  void otherOriginsAreRefusedWith403(String origin) throws Exception {
    long refusedBefore = POLICY.refusals();
    long connectionsBefore = broker.stats().connectionsTotal();

    RawWebSocket client = upgradeFrom(origin);

    assertEquals(403, client.status());
    assertTrue(client.endOfStream(), "the connection is closed after the 403");
    assertEquals(refusedBefore + 1, POLICY.refusals(), "counted");
    assertEquals(connectionsBefore, broker.stats().connectionsTotal());
  }
}
