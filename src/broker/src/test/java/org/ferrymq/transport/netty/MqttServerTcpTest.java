package org.ferrymq.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.function.LongSupplier;
import org.ferrymq.transport.TransportInfo;
import org.ferrymq.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Plain TCP listeners: byte stream integrity, close in both directions and back-pressure both
 * ways (writability callbacks, paused reading). The lingering close is tested for every kind of
 * listener in {@link MqttServerLingeringCloseTest}.
 */
class MqttServerTcpTest {

  private final EchoAcceptor engine = new EchoAcceptor();
  private final CountingExecutor executor = new CountingExecutor();
  private MqttServer sut;

  @AfterEach
  void closeServer() {
    if (sut != null) {
      sut.close();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> executor.running.get() == 0);
  }

  @ParameterizedTest(name = "native={0}")
  @ValueSource(booleans = {true, false})
  void echoesBytesAndDescribesTheConnection(boolean preferNative) throws IOException {
    sut = new MqttServer(engine, executor, 2, preferNative);
    BoundListener listener = sut.bind(ListenerSettings.tcp("127.0.0.1", 0));

    try (Socket client = connect(listener)) {
      // Exercise
      client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));

      // Verify
      assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), readExactly(client, 5));
      TransportInfo info = engine.connection(0).transport.info();
      assertEquals(TransportKind.TCP, info.kind());
      assertEquals(new InetSocketAddress(client.getLocalAddress(), client.getLocalPort()),
          info.remoteAddress());
      assertTrue(info.peerCertificates().isEmpty());
      assertTrue(listener.port() > 0);
      assertEquals(TransportKind.TCP, listener.kind());
      assertTrue(listener.isAccepting());
      assertEquals(1, listener.openConnections());
    }
  }

  /** One byte per TCP segment, then many packets packed into one large write. */
  @ParameterizedTest(name = "{0} bytes in writes of {1}")
  @CsvSource({"1000, 1", "1048576, 1048576"})
  void splitAndPackedWritesArriveWholeAndInOrder(int length, int chunk) throws IOException {
    sut = new MqttServer(engine, executor, 1);
    BoundListener listener = sut.bind(ListenerSettings.tcp("127.0.0.1", 0));
    byte[] message = randomBytes(length);

    try (Socket client = connect(listener)) {
      // Exercise
      OutputStream out = client.getOutputStream();
      for (int offset = 0; offset < length; offset += chunk) {
        out.write(message, offset, Math.min(chunk, length - offset));
        out.flush();
      }

      // Verify
      assertArrayEquals(message, readExactly(client, length));
      assertArrayEquals(message, engine.connection(0).received());
    }
  }

  @Test
  void serverSideCloseFlushesQueuedBytesThenClosesOnce() throws IOException {
    sut = new MqttServer(engine, executor, 1);
    BoundListener listener = sut.bind(ListenerSettings.tcp("127.0.0.1", 0));

    try (Socket client = connect(listener)) {
      EchoAcceptor.Connection connection = engine.connection(0);

      // Exercise
      connection.transport.send(ByteBuffer.wrap("bye".getBytes(StandardCharsets.US_ASCII)));
      connection.transport.close();
      connection.transport.send(ByteBuffer.wrap("late".getBytes(StandardCharsets.US_ASCII)));
      connection.transport.close();

      // Verify
      assertArrayEquals("bye".getBytes(StandardCharsets.US_ASCII), readExactly(client, 3));
      assertEquals(-1, client.getInputStream().read());
      await().until(() -> connection.closed.get() == 1);
      // the server lingers until the client closes too
      client.close();
      await().until(() -> listener.openConnections() == 0);
      await().during(Duration.ofMillis(300)).until(() -> connection.closed.get() == 1);
    }
  }

  @Test
  void clientSideCloseIsReportedOnce() throws IOException {
    sut = new MqttServer(engine, executor, 1);
    BoundListener listener = sut.bind(ListenerSettings.tcp("127.0.0.1", 0));
    Socket client = connect(listener);
    EchoAcceptor.Connection connection = engine.connection(0);

    // Exercise
    client.close();

    // Verify
    await().until(() -> connection.closed.get() == 1);
    connection.transport.close();
    await().during(Duration.ofMillis(300)).until(() -> connection.closed.get() == 1);
    assertEquals(0, listener.openConnections());
  }

  @Test
  void slowReaderGetsOnUnwritableThenOnWritableOnceDrained() throws IOException {
    sut = new MqttServer(engine, executor, 1);
    BoundListener listener =
        sut.bind(ListenerSettings.tcp("127.0.0.1", 0).withWaterMarks(8 * 1024, 32 * 1024));
    engine.echo = false;
    byte[] chunk = randomBytes(16 * 1024);

    try (Socket client = new Socket()) {
      client.setReceiveBufferSize(4096);
      client.connect(new InetSocketAddress("127.0.0.1", listener.port()));
      client.setSoTimeout(10_000);
      EchoAcceptor.Connection connection = engine.connection(0);

      // Exercise: write until the server-side queue passes the high-water mark, and on past what
      // the kernel's socket buffers can hold (tcp_wmem's default maximum is 4 MiB), so the queue
      // cannot drain below the low-water mark again while the client reads nothing. Stopping at
      // the first unwritable moment raced with the kernel growing its send buffer.
      long sent = 0;
      while ((connection.transport.isWritable() || sent < KERNEL_BUFFERS_BOUND)
          && sent < 256L << 20) {
        connection.transport.send(ByteBuffer.wrap(chunk));
        connection.transport.flush();
        sent += chunk.length;
      }

      // Verify
      await().until(() -> !connection.transport.isWritable());
      await().until(() -> connection.unwritable.get() > 0);
      int writableEventsBefore = connection.writable.get();
      drain(client, sent, chunk);
      await().until(() -> connection.writable.get() > writableEventsBefore);
      assertTrue(connection.transport.isWritable());
    }
  }

  /**
   * A paused connection reads nothing more (bytes already read aside), so a client that keeps
   * writing fills the kernel buffers and blocks; resuming loses and reorders nothing. The pause
   * comes from another thread than the event loop, as it does from the engine's lanes.
   */
  @ParameterizedTest(name = "native={0}")
  @ValueSource(booleans = {true, false})
  void pausedReadingHoldsBytesBackUntilResumed(boolean preferNative) throws Exception {
    sut = new MqttServer(engine, executor, 1, preferNative);
    BoundListener listener = sut.bind(ListenerSettings.tcp("127.0.0.1", 0));
    engine.echo = false;
    // Far more than the kernel buffers hold: 128 KiB to receive, at most 4 MiB to send
    byte[] message = randomBytes(16 << 20);

    try (Socket client = connect(listener)) {
      EchoAcceptor.Connection connection = engine.connection(0);
      client.getOutputStream().write(message, 0, 1000);
      await().until(() -> connection.receivedCount() == 1000);

      // Exercise
      connection.transport.setReadingPaused(true);
      OutputStream out = client.getOutputStream();
      BackgroundWriter writer = BackgroundWriter.start(message, 1000, 64 * 1024, out::write);

      // Verify
      writer.awaitBlocked();
      awaitSteady(connection::receivedCount);
      assertTrue(connection.receivedCount() < message.length);

      // Exercise
      connection.transport.setReadingPaused(false);

      // Verify
      writer.awaitCompleted();
      await().until(() -> connection.receivedCount() == message.length);
      assertArrayEquals(message, connection.received());
    }
  }

  @Test
  void exceptionInTheEngineClosesTheConnectionOnly() throws IOException {
    sut = new MqttServer(engine, executor, 1);
    BoundListener listener = sut.bind(ListenerSettings.tcp("127.0.0.1", 0));
    engine.failOnBytes = new IllegalStateException("engine bug (expected by the test)");

    try (Socket client = connect(listener)) {
      client.getOutputStream().write(1);

      assertEquals(-1, client.getInputStream().read());
      await().until(() -> engine.connection(0).closed.get() == 1);
    }
    engine.failOnBytes = null;
    try (Socket client = connect(listener)) {
      client.getOutputStream().write(2);
      assertEquals(2, client.getInputStream().read());
    }
  }

  @Test
  void acceptorFailureClosesTheConnectionOnly() throws IOException {
    EchoAcceptor healthy = new EchoAcceptor();
    boolean[] refuseNext = {true};
    sut = new MqttServer(transport -> {
      if (refuseNext[0]) {
        refuseNext[0] = false;
        throw new IllegalStateException("too many connections (expected by the test)");
      }
      return healthy.accept(transport);
    }, executor, 1);
    BoundListener listener = sut.bind(ListenerSettings.tcp("127.0.0.1", 0));

    try (Socket refused = connect(listener)) {
      assertEquals(-1, refused.getInputStream().read());
    }
    try (Socket client = connect(listener)) {
      client.getOutputStream().write(3);
      assertEquals(3, client.getInputStream().read());
    }
  }

  static Socket connect(BoundListener listener) throws IOException {
    Socket socket = new Socket("127.0.0.1", listener.port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  static byte[] readExactly(Socket socket, int length) throws IOException {
    return socket.getInputStream().readNBytes(length);
  }

  /** Waits until the value has stayed the same for 300 ms. */
  private static void awaitSteady(LongSupplier value) {
    long[] last = {Long.MIN_VALUE};
    await().pollInterval(Duration.ofMillis(50)).during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(10)).until(() -> {
          long now = value.getAsLong();
          boolean same = now == last[0];
          last[0] = now;
          return same;
        });
  }

  private static final long KERNEL_BUFFERS_BOUND = 8L << 20;

  private static void drain(Socket client, long expected, byte[] chunk) throws IOException {
    InputStream in = client.getInputStream();
    byte[] buffer = new byte[chunk.length];
    long total = 0;
    while (total < expected) {
      int n = in.readNBytes(buffer, 0, buffer.length);
      assertEquals(chunk.length, n, "stream ended early");
      assertArrayEquals(chunk, buffer);
      total += n;
    }
  }

  private static byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    new Random(length).nextBytes(bytes);
    return bytes;
  }
}
