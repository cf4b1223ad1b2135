package it.org.ferrymq;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Runs in a separate failsafe execution after Arquillian stopped the server: every port is free
 * again and the adapter reported that each WorkManager thread it borrowed came back.
 */
class AfterServerStopIT {

  private static final Path MESSAGES =
      Path.of(System.getProperty("wlp.server.dir", "."), "logs", "messages.log");

  @Test
  void everyPortIsFree() throws IOException {
    for (String name : new String[] {"it.http.port", "it.https.port", "it.mqtt.port",
        "it.mqtts.port", "it.ws.port", "it.wss.port"}) {
      int port = Integer.getInteger(name);
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(port));
      }
    }
  }

  @Test
  void adapterReturnedEveryThread() throws IOException {
    String log = Files.readString(MESSAGES);

    assertTrue(log.contains("FerryMQ broker stopped; every work manager thread returned"),
        "the adapter did not report a clean stop");
    assertFalse(log.contains("work manager threads were still running"),
        "the adapter left threads behind");
    assertTrue(log.contains("J2CA7009I"), "the resource adapter was not uninstalled");
  }
}
