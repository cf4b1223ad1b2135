package org.ferrymq.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** Binding, closing and giving every borrowed thread back. */
class MqttServerLifecycleTest {

  private final EchoAcceptor engine = new EchoAcceptor();
  private final CountingExecutor executor = new CountingExecutor();

  @Test
  void closeReturnsEveryExecutorTaskAndFreesThePort() throws IOException {
    MqttServer sut = new MqttServer(engine, executor, 2);
    BoundListener listener = sut.bind(ListenerSettings.tcp("127.0.0.1", 0));
    int port = listener.port();
    Socket client = MqttServerTcpTest.connect(listener);
    client.getOutputStream().write(7);
    assertEquals(7, client.getInputStream().read());

    // Exercise
    sut.close();

    // Verify
    await().atMost(Duration.ofSeconds(5)).until(() -> executor.running.get() == 0);
    assertEquals(2, executor.started.get(), "one long-running task per event loop");
    assertEquals(1, engine.connection(0).closed.get());
    assertEquals(-1, client.getInputStream().read());
    assertFalse(listener.isAccepting());
    assertEquals(0, listener.openConnections());
    client.close();
    sut.close();

    CountingExecutor again = new CountingExecutor();
    try (MqttServer rebound = new MqttServer(engine, again, 1)) {
      assertEquals(port, rebound.bind(ListenerSettings.tcp("127.0.0.1", port)).port());
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> again.running.get() == 0);
  }

  @Test
  void closingAListenerStopsAcceptingAndClosesItsConnections() throws IOException {
    try (MqttServer sut = new MqttServer(engine, executor, 1)) {
      BoundListener closing = sut.bind(ListenerSettings.tcp("127.0.0.1", 0));
      BoundListener staying = sut.bind(ListenerSettings.tcp("127.0.0.1", 0));
      Socket client = MqttServerTcpTest.connect(closing);
      engine.connection(0);

      // Exercise
      closing.close();

      // Verify
      assertFalse(closing.isAccepting());
      assertEquals(-1, client.getInputStream().read());
      assertEquals(1, engine.connection(0).closed.get());
      assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", closing.port()));
      assertTrue(staying.isAccepting());
      try (Socket other = MqttServerTcpTest.connect(staying)) {
        other.getOutputStream().write(9);
        assertEquals(9, other.getInputStream().read());
      }
      client.close();
    }
  }

  @Test
  void bindFailureNamesTheAddress() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        MqttServer sut = new MqttServer(engine, executor, 1)) {
      int port = taken.getLocalPort();

      IOException failure = assertThrows(IOException.class,
          () -> sut.bind(ListenerSettings.tcp("127.0.0.1", port)));

      assertTrue(failure.getMessage().contains("127.0.0.1:" + port), failure.getMessage());
    }
  }

  @Test
  void unknownHostFailsTheBind() {
    try (MqttServer sut = new MqttServer(engine, executor, 1)) {
      IOException failure = assertThrows(IOException.class,
          () -> sut.bind(ListenerSettings.tcp("no-such-host.invalid", 0)));

      assertTrue(failure.getMessage().contains("no-such-host.invalid:0"), failure.getMessage());
    }
  }

  @Test
  void executorRefusingThreadsFailsTheBind() {
    try (MqttServer sut = new MqttServer(engine, task -> {
      throw new RejectedExecutionException("work manager full (expected by the test)");
    }, 1)) {
      IOException failure = assertThrows(IOException.class,
          () -> sut.bind(ListenerSettings.tcp("127.0.0.1", 0)));

      assertTrue(failure.getMessage().contains("127.0.0.1:0"), failure.getMessage());
    }
  }

  @Test
  void bindAfterCloseIsRefused() {
    MqttServer sut = new MqttServer(engine, executor, 1);
    sut.close();

    assertThrows(IllegalStateException.class,
        () -> sut.bind(ListenerSettings.tcp("127.0.0.1", 0)));
    await().atMost(Duration.ofSeconds(5)).until(() -> executor.running.get() == 0);
  }

  @Test
  void reportsWhetherEpollIsUsed() {
    try (MqttServer preferred = new MqttServer(engine, executor, 1);
        MqttServer nio = new MqttServer(engine, executor, 1, false)) {
      assertEquals(Epoll.isAvailable(), preferred.nativeTransport());
      assertFalse(nio.nativeTransport());
    }
  }

  @Test
  void zeroIoThreadsMeansTheDefaultAndNegativeIsRefused() throws IOException {
    try (MqttServer sut = new MqttServer(engine, executor, 0)) {
      sut.bind(ListenerSettings.tcp("127.0.0.1", 0));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> executor.running.get() == 0);
    assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors() / 4),
        executor.started.get());
    assertEquals(executor.started.get(), MqttServer.defaultIoThreads());
    assertThrows(IllegalArgumentException.class, () -> new MqttServer(engine, executor, -1));
  }
}
