package org.ferrymq.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A connection the engine closes lingers ({@link LingeringClose}) on every kind of listener.
 *
 * <p>The case that matters: the client is still writing (PUBLISH packets beyond its Receive
 * Maximum, say) when the broker sends its last packet and closes. Had the server closed the
 * socket with the client's bytes unread in its receive buffer, the kernel would answer with RST,
 * and the client would get "Connection reset" instead of reading the last packet, or, where the
 * FIN happens to come before the RST, a failed write. Here the engine pauses reading as it
 * accepts the connection, so the client's writes block with the server's receive buffer full;
 * the client must still read the last bytes, then the end of the stream, and its writes must
 * complete: the server reads and drops what it no longer wants.
 */
class MqttServerLingeringCloseTest {

  private static final char[] PASSWORD = "ferry-linger-test".toCharArray();
  private static final byte[] LAST = "bye".getBytes(StandardCharsets.US_ASCII);
  /** Far more than the kernel buffers hold: 128 KiB to receive, at most 4 MiB to send. */
  private static final int CLIENT_BYTES = 16 << 20;
  private static final int CHUNK = 16 * 1024;

  @TempDir
  static Path dir;
  private static Path keys;

  private final EchoAcceptor engine = new EchoAcceptor();
  private final CountingExecutor executor = new CountingExecutor();
  private MqttServer sut;

  /** The listener kinds; TCP twice, as NIO and epoll shut the output down each their own way. */
  enum Kind { TCP, TCP_NIO, TLS, WS, WSS }

  @BeforeAll
  static void createKeyStore() throws Exception {
    keys = dir.resolve("linger.p12");
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
  void clientStillWritingReadsTheLastBytesThenTheEnd(Kind kind) throws Exception {
    BoundListener listener = bind(kind, 30_000);
    engine.echo = false;
    engine.pauseOnAccept = true;

    try (Client client = Client.open(kind, listener.port())) {
      EchoAcceptor.Connection connection = engine.connection(0);
      BackgroundWriter writer =
          BackgroundWriter.start(new byte[CLIENT_BYTES], 0, CHUNK, client::write);
      // Blocked in a write, as a client that goes on publishing while the broker has paused
      // reading: its bytes fill the server's receive buffer, unread.
      writer.awaitBlocked();
      int heardBeforeClose = connection.receivedCount();

      // Exercise
      connection.transport.send(ByteBuffer.wrap(LAST));
      connection.transport.close();
      connection.transport.setReadingPaused(true);

      // Verify: the last bytes and the end of the stream, not a reset
      client.assertReadsLastBytesThenEnd();
      // the server read the rest (despite the pause) and dropped it, so the writes all completed
      writer.awaitCompleted();
      assertEquals(heardBeforeClose, connection.receivedCount(), "bytes reached the engine");
      await().until(() -> connection.closed.get() == 1);
      assertEquals(1, listener.openConnections(), "the socket waits for the client to close");

      // Exercise: the client closes; the server needs no linger time to follow
      client.close();

      // Verify
      await().atMost(Duration.ofSeconds(5)).until(() -> listener.openConnections() == 0);
      assertEquals(1, connection.closed.get());
    }
  }

  @Test
  void clientThatNeverClosesIsCutOffAfterTheLinger() throws Exception {
    BoundListener listener = bind(Kind.TCP, 200);

    try (Client client = Client.open(Kind.TCP, listener.port())) {
      EchoAcceptor.Connection connection = engine.connection(0);

      // Exercise
      connection.transport.close();

      // Verify
      assertEquals(-1, client.in.read());
      await().atMost(Duration.ofSeconds(5)).until(() -> listener.openConnections() == 0);
      assertEquals(1, connection.closed.get());
    }
  }

  private BoundListener bind(Kind kind, long lingerMillis) throws IOException {
    sut = new MqttServer(engine, executor, 1, kind != Kind.TCP_NIO);
    sut.lingerMillis = lingerMillis;
    ListenerSettings settings = switch (kind) {
      case TCP, TCP_NIO, WS -> ListenerSettings.tcp("127.0.0.1", 0);
      case TLS, WSS -> ListenerSettings.tls("127.0.0.1", 0, TlsSettings.fromKeyStore(keys,
          PASSWORD));
    };
    if (kind == Kind.WS || kind == Kind.WSS) {
      settings = settings.withWebSocket(WebSocketSettings.forMaxPacketSize(1 << 20));
    }
    return sut.bind(settings);
  }

  /** A plain, TLS or WebSocket client, reduced to what the tests do with it. */
  private static final class Client implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final RawWebSocket webSocket;

    private Client(Socket socket, RawWebSocket webSocket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
      this.webSocket = webSocket;
    }

    static Client open(Kind kind, int port) throws Exception {
      Socket socket = kind == Kind.TLS || kind == Kind.WSS
          ? tlsSocket(port) : new Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      RawWebSocket webSocket = kind == Kind.WS || kind == Kind.WSS
          ? RawWebSocket.upgrade(socket, "/mqtt", "mqtt") : null;
      if (webSocket != null) {
        assertEquals(101, webSocket.status());
      }
      return new Client(socket, webSocket);
    }

    /** Writes raw bytes, or one binary frame (from the writer thread only). */
    void write(byte[] chunk) throws IOException {
      if (webSocket == null) {
        out.write(chunk);
      } else {
        webSocket.send(RawWebSocket.BINARY, true, chunk);
      }
    }

    /**
     * Reads {@link #LAST} (in a binary frame followed by a Close frame, 1000, on WebSocket), then
     * the end of the stream; a reset fails with its IOException.
     */
    void assertReadsLastBytesThenEnd() throws IOException {
      if (webSocket == null) {
        assertArrayEquals(LAST, in.readNBytes(LAST.length));
        assertEquals(-1, in.read());
        return;
      }
      RawWebSocket.Frame data = webSocket.readFrame();
      assertEquals(RawWebSocket.BINARY, data.opcode(), data::toString);
      assertArrayEquals(LAST, data.payload());
      RawWebSocket.Frame close = webSocket.readFrame();
      assertEquals(RawWebSocket.CLOSE, close.opcode(), close::toString);
      assertEquals(1000, close.closeStatus());
      assertEquals(0, webSocket.readToEnd().length, "nothing may follow the Close frame");
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }

    /** A TLS 1.3 socket, which may go on writing after the server's close_notify. */
    private static Socket tlsSocket(int port) throws Exception {
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream stored = Files.newInputStream(keys)) {
        store.load(stored, PASSWORD);
      }
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      trusted.setCertificateEntry("broker", store.getCertificate(SelfSignedKeyStore.ALIAS));
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      SSLSocket socket =
          (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
      socket.setEnabledProtocols(new String[] {"TLSv1.3"});
      socket.startHandshake();
      return socket;
    }
  }
}
