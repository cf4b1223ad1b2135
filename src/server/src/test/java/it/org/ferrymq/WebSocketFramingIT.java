package it.org.ferrymq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Raw MQTT bytes over the JDK WebSocket client: packets split across frames and packed into one
 * frame both work, and the subprotocol is negotiated; on Liberty's endpoint and on the resource
 * adapter's own ws listener alike.
 */
class WebSocketFramingIT extends ServerIT {

  /** CONNECT, MQTT 3.1.1, clean session, keep-alive 60, client id "ws-raw". */
  private static final byte[] CONNECT = {
      0x10, 18,                                   // CONNECT, remaining length 18
      0x00, 0x04, 'M', 'Q', 'T', 'T',             // protocol name
      0x04,                                       // protocol level 4 (3.1.1)
      0x02,                                       // flags: clean session
      0x00, 0x3C,                                 // keep-alive 60 s
      0x00, 0x06, 'w', 's', '-', 'r', 'a', 'w'    // client id
  };
  private static final byte[] CONNACK_ACCEPTED = {0x20, 0x02, 0x00, 0x00};
  private static final byte[] PINGREQ = {(byte) 0xC0, 0x00};
  private static final byte[] PINGRESP = {(byte) 0xD0, 0x00};

  @ParameterizedTest(name = "[MQTT-6.0.0-3] on port {0}")
  @MethodSource("webSocketPorts")
  void connectSplitAcrossFramesIsAccepted(int port) throws Exception {
    Collector collector = new Collector(CONNACK_ACCEPTED.length);
    WebSocket ws = open(port, collector);

    // Exercise: the CONNECT in two binary messages, the split inside the protocol name
    ws.sendBinary(ByteBuffer.wrap(CONNECT, 0, 5), true).get(5, TimeUnit.SECONDS);
    ws.sendBinary(ByteBuffer.wrap(CONNECT, 5, CONNECT.length - 5), true)
        .get(5, TimeUnit.SECONDS);

    // Verify
    assertArrayEquals(CONNACK_ACCEPTED, collector.bytes.get(10, TimeUnit.SECONDS));
    assertEquals("mqtt", ws.getSubprotocol());
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "[MQTT-6.0.0-2] on port {0}")
  @MethodSource("webSocketPorts")
  void packetsPackedIntoOneFrameAreAllHandled(int port) throws Exception {
    Collector collector = new Collector(CONNACK_ACCEPTED.length + PINGRESP.length);
    WebSocket ws = open(port, collector);

    // Exercise: CONNECT and PINGREQ in one binary message
    ByteBuffer packed = ByteBuffer.allocate(CONNECT.length + PINGREQ.length)
        .put(CONNECT).put(PINGREQ).flip();
    ws.sendBinary(packed, true).get(5, TimeUnit.SECONDS);

    // Verify
    byte[] expected = ByteBuffer.allocate(CONNACK_ACCEPTED.length + PINGRESP.length)
        .put(CONNACK_ACCEPTED).put(PINGRESP).array();
    assertArrayEquals(expected, collector.bytes.get(10, TimeUnit.SECONDS));
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
  }

  /** Liberty's HTTP port and the resource adapter's ws listener. */
  @ParameterizedTest(name = "RFC 6455 4.2.2 on port {0}")
  @MethodSource("webSocketPorts")
  void aPageOfAForeignOriginGets403AndOneOfTheBrokersHostConnects(int port) throws Exception {
    // Exercise: the JDK client sends Origin as a browser on that page would
    java.util.concurrent.ExecutionException refused = org.junit.jupiter.api.Assertions
        .assertThrows(java.util.concurrent.ExecutionException.class,
            () -> HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("mqtt")
                .header("Origin", "https://evil.example")
                .buildAsync(URI.create("ws://localhost:" + port + "/mqtt"), new Collector(0))
                .get(10, TimeUnit.SECONDS));
    Collector collector = new Collector(CONNACK_ACCEPTED.length);
    WebSocket sameHost = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("mqtt")
        .header("Origin", "http://localhost:" + HTTP_PORT)
        .buildAsync(URI.create("ws://localhost:" + port + "/mqtt"), collector)
        .get(10, TimeUnit.SECONDS);
    sameHost.sendBinary(ByteBuffer.wrap(CONNECT), true).get(5, TimeUnit.SECONDS);

    // Verify
    java.net.http.WebSocketHandshakeException handshake = org.junit.jupiter.api.Assertions
        .assertInstanceOf(java.net.http.WebSocketHandshakeException.class, refused.getCause());
    assertEquals(403, handshake.getResponse().statusCode());
    assertArrayEquals(CONNACK_ACCEPTED, collector.bytes.get(10, TimeUnit.SECONDS));
    sameHost.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
    // the refusal is counted (a counter, which follows within a second)
    org.awaitility.Awaitility.await("the refusal is counted").atMost(Duration.ofSeconds(10))
        .until(() -> get("/metrics").body().lines().anyMatch(
            l -> l.startsWith("ferrymq_websocket_origins_refused_total")
                && !l.endsWith(" 0.0") && !l.endsWith(" 0")));
  }

  static IntStream webSocketPorts() {
    return IntStream.of(HTTP_PORT, WS_PORT);
  }

  private static WebSocket open(int port, Collector collector) throws Exception {
    return HttpClient.newHttpClient().newWebSocketBuilder()
        .subprotocols("mqtt")
        .buildAsync(URI.create("ws://localhost:" + port + "/mqtt"), collector)
        .get(10, TimeUnit.SECONDS);
  }

  /** Gathers binary data until the expected number of bytes arrived. */
  private static final class Collector implements WebSocket.Listener {
    final CompletableFuture<byte[]> bytes = new CompletableFuture<>();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final int expected;

    Collector(int expected) {
      this.expected = expected;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      while (data.hasRemaining()) {
        received.write(data.get());
      }
      if (received.size() >= expected) {
        bytes.complete(received.toByteArray());
      }
      webSocket.request(1);
      return null;
    }
  }
}
