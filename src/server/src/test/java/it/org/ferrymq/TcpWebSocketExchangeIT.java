package it.org.ferrymq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A TCP client and a WebSocket client share one broker: messages cross in both directions at each
 * QoS, plain and over TLS (8883 and wss), with WebSocket both on Liberty's HTTP(S) ports and on
 * the resource adapter's own ws/wss listeners.
 */
class TcpWebSocketExchangeIT extends ServerIT {

  /**
   * Pairs of clients: Liberty's WebSocket endpoint on the HTTP(S) ports, the resource adapter's
   * ws/wss listeners, and both WebSocket paths with each other.
   */
  static Stream<Arguments> clientPairs() {
    String libertyWs = "ws://localhost:" + HTTP_PORT + "/mqtt";
    String libertyWss = "wss://localhost:" + HTTPS_PORT + "/mqtt";
    String adapterWs = "ws://localhost:" + WS_PORT + "/mqtt";
    String adapterWss = "wss://localhost:" + WSS_PORT + "/mqtt";
    String tcp = "tcp://localhost:" + MQTT_PORT;
    String tls = "ssl://localhost:" + MQTTS_PORT;
    Stream.Builder<Arguments> pairs = Stream.builder();
    for (int qos = 0; qos <= 2; qos++) {
      pairs.add(Arguments.of(tcp, libertyWs, qos));
      pairs.add(Arguments.of(tls, libertyWss, qos));
      pairs.add(Arguments.of(tcp, adapterWs, qos));
      pairs.add(Arguments.of(tls, adapterWss, qos));
    }
    pairs.add(Arguments.of(adapterWss, libertyWs, 1));
    return pairs.build();
  }

  @ParameterizedTest(name = "{0} and {1} at QoS {2}")
  @MethodSource("clientPairs")
  void clientsExchangeMessagesBothWays(String tcpUri, String wsUri, int qos) throws Exception {
    exchange(tcpUri, wsUri, qos);
  }

  private void exchange(String tcpUri, String wsUri, int qos) throws Exception {
    MqttClient tcp = Clients.connect(tcpUri, trustFor(tcpUri));
    MqttClient ws = Clients.connect(wsUri, trustFor(wsUri));
    try {
      String base = "it/exchange/" + UUID.randomUUID();
      BlockingQueue<MqttMessage> atWs = Clients.subscribe(ws, base + "/to-ws", qos);
      BlockingQueue<MqttMessage> atTcp = Clients.subscribe(tcp, base + "/to-tcp", qos);

      // Exercise
      byte[] fromTcp = ("tcp says hi at QoS " + qos).getBytes(StandardCharsets.UTF_8);
      byte[] fromWs = ("ws says hi at QoS " + qos).getBytes(StandardCharsets.UTF_8);
      tcp.publish(base + "/to-ws", fromTcp, qos, false);
      ws.publish(base + "/to-tcp", fromWs, qos, false);

      // Verify
      MqttMessage gotWs = atWs.poll(10, TimeUnit.SECONDS);
      MqttMessage gotTcp = atTcp.poll(10, TimeUnit.SECONDS);
      assertNotNull(gotWs, "the WebSocket client received nothing");
      assertNotNull(gotTcp, "the TCP client received nothing");
      assertArrayEquals(fromTcp, gotWs.getPayload());
      assertArrayEquals(fromWs, gotTcp.getPayload());
      assertEquals(qos, gotWs.getQos());
      assertEquals(qos, gotTcp.getQos());
    } finally {
      Clients.close(tcp);
      Clients.close(ws);
    }
  }

  private static SSLContext trustFor(String uri) throws Exception {
    return uri.startsWith("ssl:") || uri.startsWith("wss:") ? serverTrust() : null;
  }
}
