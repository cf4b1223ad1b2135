package it.org.ferrymq;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Sockets that connect and then stay silent (or stop half-way through an HTTP upgrade) must not
 * hold the broker's file descriptors: every listener closes them within mqtt.connect-timeout
 * (10 s in the tests) of their accept, counting the TLS handshake and the WebSocket upgrade.
 * Liberty's HTTP(S) ports do it with twice ferrymq.http.handshake-timeout (5 s), and keep
 * upgraded MQTT connections that are idle for longer.
 */
class SilentSocketsIT extends ServerIT {
  private static final int PER_LISTENER = 1000;
  private static final int CONNECT_TIMEOUT_SECONDS = 10;
  /** Accepting 1,000 sockets per port takes the server a moment; closes are timed from there. */
  private static final int SLACK_SECONDS = 8;

  @Test
  void silentSocketsOnEveryListenerAreClosedWithinTheConnectTimeout() throws Exception {
    byte[] nothing = new byte[0];
    // An upgrade request cut off before its blank line: the HTTP layer waits for the rest
    byte[] halfUpgrade = ("GET /mqtt HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    // Idle MQTT clients on Liberty's endpoint (Paho: keep alive 60 s) must outlive the timeout
    MqttClient ws = connectRetrying("ws://localhost:" + HTTP_PORT + "/mqtt", null);
    MqttClient wss = connectRetrying("wss://localhost:" + HTTPS_PORT + "/mqtt", serverTrust());
    BlockingQueue<MqttMessage> received = Clients.subscribe(ws, "it/silent", 1);
    try (SilentSockets sockets = new SilentSockets()) {
      sockets.open("mqtt (tcp)", MQTT_PORT, PER_LISTENER, nothing);
      sockets.open("mqtts (tls)", MQTTS_PORT, PER_LISTENER, nothing);
      sockets.open("ws (adapter)", WS_PORT, PER_LISTENER, nothing);
      sockets.open("wss (adapter)", WSS_PORT, PER_LISTENER, nothing);
      sockets.open("http (Liberty)", HTTP_PORT, PER_LISTENER, nothing);
      sockets.open("https (Liberty)", HTTPS_PORT, PER_LISTENER, nothing);
      sockets.open("ws half upgrade (adapter)", WS_PORT, 100, halfUpgrade);
      sockets.open("http half upgrade (Liberty)", HTTP_PORT, 100, halfUpgrade);

      // Exercise
      Map<String, SilentSockets.Listener> result =
          sockets.awaitClosed((CONNECT_TIMEOUT_SECONDS + SLACK_SECONDS) * 1000L);

      // Verify
      String report = SilentSockets.describe(result.values());
      System.out.println(report);
      List<Executable> checks = new ArrayList<>();
      for (SilentSockets.Listener l : result.values()) {
        checks.add(() -> assertEquals(l.opened, l.closed, l.name + " left open\n" + report));
        if (!l.name.contains("Liberty")) {
          // The adapter's listeners wait mqtt.connect-timeout itself
          checks.add(() -> assertTrue(l.firstCloseNanos >= (CONNECT_TIMEOUT_SECONDS - 1) * 1e9,
              l.name + " closed before the timeout\n" + report));
        }
      }
      assertAll(checks);
    }
    assertTrue(ws.isConnected() && wss.isConnected(), "idle WebSocket clients were cut off");
    wss.publish("it/silent", "still here".getBytes(StandardCharsets.UTF_8), 1, false);
    MqttMessage m = received.poll(10, TimeUnit.SECONDS);
    assertEquals("still here", m == null ? null : new String(m.getPayload(),
        StandardCharsets.UTF_8));
    Clients.close(ws);
    Clients.close(wss);
  }

  /**
   * Paho reads the WebSocket upgrade answer with a 1 s socket timeout, which the first upgrade
   * on a freshly started, busy server can exceed.
   */
  private static MqttClient connectRetrying(String uri, SSLContext tls) {
    AtomicReference<MqttClient> client = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> client.compareAndSet(null, Clients.connect(uri, tls)));
    return client.get();
  }
}
