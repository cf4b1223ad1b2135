package org.ferrymq.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Until a TLS handshake or WebSocket upgrade ends, the engine does not know the connection, so
 * its CONNECT timeout cannot close it; the listener's handshake timeout does. Without it, peers
 * that open connections and send nothing would hold sockets until the process runs out of file
 * descriptors and every listener stops.
 */
class MqttServerHandshakeTimeoutTest {

  private static final char[] PASSWORD = "ferry-handshake-test".toCharArray();
  private static final long TIMEOUT_MILLIS = 300;

  @TempDir
  static Path dir;
  private static Path keys;

  private final EchoAcceptor engine = new EchoAcceptor();
  private final CountingExecutor executor = new CountingExecutor();
  private MqttServer sut;

  enum Kind { TLS, WS, WSS }

  @BeforeAll
  static void createKeyStore() throws Exception {
    keys = dir.resolve("handshake.p12");
    SelfSignedKeyStore.createIfMissing(keys, PASSWORD, "localhost");
  }

  @AfterEach
  void closeServer() {
    if (sut != null) {
      sut.close();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> executor.running.get() == 0);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void silentSocketsAreClosedAfterTheHandshakeTimeout(Kind kind) throws Exception {
    BoundListener listener = bind(kind);
    List<Socket> silent = new ArrayList<>();
    try {
      // Exercise: connect and send nothing, not even a ClientHello or an HTTP request
      for (int i = 0; i < 20; i++) {
        Socket socket = new Socket("127.0.0.1", listener.port());
        socket.setSoTimeout(10_000);
        silent.add(socket);
      }

      // Verify: each is closed by the server, and the engine never saw one
      for (Socket socket : silent) {
        assertTrue(endOfStream(socket.getInputStream()), "the server did not close the socket");
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> listener.openConnections() == 0);
      assertEquals(0, engine.connections.size());
    } finally {
      for (Socket socket : silent) {
        socket.close();
      }
    }
  }

  @Test
  void aCompletedHandshakeIsNotCutOffByTheTimer() throws Exception {
    BoundListener listener = bind(Kind.WS);
    try (Socket socket = new Socket("127.0.0.1", listener.port())) {
      socket.setSoTimeout(10_000);
      RawWebSocket ws = RawWebSocket.upgrade(socket, "/mqtt", "mqtt");
      EchoAcceptor.Connection connection = engine.connection(0);

      // Exercise and verify: open well past the handshake timeout, and still carrying bytes
      await().during(Duration.ofMillis(3 * TIMEOUT_MILLIS)).atMost(Duration.ofSeconds(5))
          .until(() -> connection.closed.get() == 0);
      byte[] ping = {(byte) 0xC0, 0x00};
      ws.sendBinary(ping);
      RawWebSocket.Frame echoed = ws.readFrame();
      assertArrayEquals(ping, echoed.payload());
    }
  }

  private BoundListener bind(Kind kind) throws IOException {
    sut = new MqttServer(engine, executor, 1);
    sut.handshakeTimeout(TIMEOUT_MILLIS);
    ListenerSettings settings = kind == Kind.WS ? ListenerSettings.tcp("127.0.0.1", 0)
        : ListenerSettings.tls("127.0.0.1", 0, TlsSettings.fromKeyStore(keys, PASSWORD));
    if (kind != Kind.TLS) {
      settings = settings.withWebSocket(WebSocketSettings.forMaxPacketSize(1 << 20));
    }
    return sut.bind(settings);
  }

  /**
   * @return true once the server closed the stream (EOF, or a reset after its close); a TLS
   *     alert the server may send first is read past
   */
  private static boolean endOfStream(InputStream in) throws IOException {
    try {
      byte[] buffer = new byte[512];
      for (int reads = 0; reads < 16; reads++) {
        if (in.read(buffer) == -1) {
          return true;
        }
      }
      return false;
    } catch (SocketException reset) {
      return true;
    }
  }
}
