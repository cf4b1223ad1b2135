package org.ferrymq.bench;

import java.io.IOException;
import java.util.Locale;

/**
 * Where and how to reach the broker under test.
 *
 * @param host broker host (a loopback address for the comparison script)
 * @param port port of the listener for {@code transport}
 * @param transport tcp, tls, ws or wss
 * @param path HTTP path of the WebSocket endpoint
 */
record Endpoint(String host, int port, String transport, String path) {

  Endpoint {
    transport = transport.toLowerCase(Locale.ROOT);
    if (!transport.equals("tcp") && !transport.equals("tls") && !transport.equals("ws")
        && !transport.equals("wss")) {
      throw new IllegalArgumentException("transport must be tcp, tls, ws or wss: " + transport);
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  boolean isWebSocket() {
    return transport.startsWith("ws");
  }

  /**
   * Opens a byte stream to the broker.
   *
   * @param localAddress source address for tcp/tls, or {@code null}; WebSocket ignores it
   */
  Wire open(String localAddress) throws IOException {
    return switch (transport) {
      case "tcp" -> SocketWire.open(host, port, localAddress, false);
      case "tls" -> SocketWire.open(host, port, localAddress, true);
      case "ws" -> WebSocketWire.open(host, port, path, false);
      default -> WebSocketWire.open(host, port, path, true);
    };
  }
}
