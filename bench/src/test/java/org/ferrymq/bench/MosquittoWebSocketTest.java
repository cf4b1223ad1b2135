package org.ferrymq.bench;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.ferrymq.packet.QoS;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator's WebSocket client against a real broker: Mosquitto's {@code protocol
 * websockets} listener (.ci/run installs Mosquitto; where it is missing the test is skipped).
 * FerryMQ's own WebSocket endpoint needs Liberty and is covered by the integration tests.
 */
class MosquittoWebSocketTest {
  private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
  private static final int MESSAGES = 5_000;

  private static Process broker;
  private static int port;

  @BeforeAll
  static void startMosquitto(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isExecutable(MOSQUITTO), "Mosquitto is not installed");
    int tcpPort;
    try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = a.getLocalPort();
      tcpPort = b.getLocalPort();
    }
    // Mosquitto 2.0 does not count a websockets listener and exits without a plain one too
    Path conf = Files.writeString(dir.resolve("mosquitto.conf"), "listener " + port
        + " 127.0.0.1\nprotocol websockets\nlistener " + tcpPort + " 127.0.0.1\n"
        + "allow_anonymous true\npersistence false\n");
    broker = new ProcessBuilder(MOSQUITTO.toString(), "-c", conf.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
    Path log = dir.resolve("mosquitto.log");
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .failFast("Mosquitto exited; its log: " + log, () -> !broker.isAlive())
        .ignoreExceptionsInstanceOf(IOException.class)
        .until(() -> {
          try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
          }
        });
  }

  @AfterAll
  static void stopMosquitto() throws InterruptedException {
    if (broker != null) {
      broker.destroy();
      broker.waitFor();
    }
  }

  @Test
  void publishesAndReceivesQos1OverWebSocket() throws Exception {
    Endpoint ws = new Endpoint("127.0.0.1", port, "ws", "/mqtt");
    try (BenchClient sub = BenchClient.connect(ws, "ws-sub", true, null, 64 * 1024);
        BenchClient pub = BenchClient.connect(ws, "ws-pub", true, null, 64 * 1024)) {
      sub.subscribe("ws/#", QoS.AT_LEAST_ONCE);
      Subscriber subscriber = new Subscriber(null, 1);
      sub.startReader(subscriber);
      // Closed loop: an open one outruns the subscriber and Mosquitto then drops QoS 1 messages
      // beyond its queue limit (max_queued_messages, 1000 by default), as documented
      Publisher publisher = new Publisher(pub, 0, "ws/t", QoS.AT_LEAST_ONCE, 64, 100, true, 0,
          MESSAGES, System.nanoTime() + 20_000_000_000L);
      subscriber.reportTo(List.of(publisher));

      publisher.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> subscriber.received() >= MESSAGES);

      assertNull(publisher.failure());
      assertEquals(MESSAGES, publisher.sent());
      assertEquals(MESSAGES, subscriber.received());
      assertTrue(publisher.awaitAcknowledged(5_000), "every PUBACK arrived");
    }
  }
}
