package it.org.ferrymq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A TCP client and a WebSocket client share one broker: messages cross in both directions at each
 * QoS, plain and over TLS (8883 and wss).
 */
class TcpWebSocketExchangeIT extends ServerIT {

  @ParameterizedTest(name = "QoS {0}, plain")
  @ValueSource(ints = {0, 1, 2})
  void tcpAndWebSocketExchangeMessagesBothWays(int qos) throws Exception {
    exchange("tcp://localhost:" + MQTT_PORT, "ws://localhost:" + HTTP_PORT + "/mqtt", qos, false);
  }

  @ParameterizedTest(name = "QoS {0}, TLS")
  @ValueSource(ints = {0, 1, 2})
  void tlsAndSecureWebSocketExchangeMessagesBothWays(int qos) throws Exception {
    exchange("ssl://localhost:" + MQTTS_PORT, "wss://localhost:" + HTTPS_PORT + "/mqtt", qos,
        true);
  }

  private void exchange(String tcpUri, String wsUri, int qos, boolean tls) throws Exception {
    MqttClient tcp = Clients.connect(tcpUri, tls ? serverTrust() : null);
    MqttClient ws = Clients.connect(wsUri, tls ? serverTrust() : null);
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
}
