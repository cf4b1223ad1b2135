package org.ferrymq.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client side of the WebSocket opening handshake (RFC 6455 section 4.1): an HTTP/1.1
 * upgrade request with subprotocol {@code mqtt}, and the checks of the server's answer.
 */
final class WebSocketHandshake {
  static final String SUBPROTOCOL = "mqtt";
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private WebSocketHandshake() {
  }

  /**
   * Sends the upgrade request and reads the response head.
   *
   * @throws IOException naming the problem when the server does not accept the upgrade
   */
  static void perform(OutputStream out, WebSocketFrameReader in, String host, int port,
      String path) throws IOException {
    // the key only proves that the server understood WebSocket: no secret, as for the masks
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String key = Base64.getEncoder().encodeToString(nonce);
    String where = "WebSocket handshake with " + host + ":" + port + path + " failed: ";
    String problem;
    try {
      out.write(request(host, port, path, key).getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      problem = problem(in.readHead(), key);
    } catch (IOException e) {
      throw new IOException(where + e.getMessage(), e);
    }
    if (problem != null) {
      throw new IOException(where + problem);
    }
  }

  static String request(String host, int port, String path, String key) {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return "GET " + (path.isEmpty() ? "/" : path) + " HTTP/1.1\r\n"
        + "Host: " + h + ":" + port + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + key + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Protocol: " + SUBPROTOCOL + "\r\n"
        + "\r\n";
  }

  /**
   * @param head the response head without its blank line
   * @return what is wrong with the response, or {@code null} when it accepts the upgrade
   */
  static String problem(String head, String key) {
    String[] lines = head.split("\r\n");
    String[] status = lines[0].split(" ", 3);
    if (status.length < 2 || !status[0].startsWith("HTTP/") || !status[1].equals("101")) {
      return "expected status 101 Switching Protocols, got \"" + lines[0] + "\"";
    }
    Map<String, String> headers = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim(), (a, b) -> a + ", " + b);
      }
    }
    String upgrade = headers.get("upgrade");
    if (!"websocket".equalsIgnoreCase(upgrade)) {
      return "Upgrade header is " + quoted(upgrade) + ", expected \"websocket\"";
    }
    String connection = headers.get("connection");
    if (connection == null || Arrays.stream(connection.split(","))
        .noneMatch(token -> token.trim().equalsIgnoreCase("upgrade"))) {
      return "Connection header is " + quoted(connection) + ", expected \"Upgrade\"";
    }
    String accept = headers.get("sec-websocket-accept");
    String expected = accept(key);
    if (!expected.equals(accept)) {
      return "Sec-WebSocket-Accept is " + quoted(accept) + ", expected \"" + expected + "\"";
    }
    String protocol = headers.get("sec-websocket-protocol");
    if (!SUBPROTOCOL.equals(protocol)) {
      return "the server chose subprotocol " + quoted(protocol) + ", expected \"" + SUBPROTOCOL
          + "\"";
    }
    if (headers.containsKey("sec-websocket-extensions")) {
      return "the server chose extensions " + quoted(headers.get("sec-websocket-extensions"))
          + " that were not offered";
    }
    return null;
  }

  /** @return the Sec-WebSocket-Accept value a server must answer {@code key} with */
  static String accept(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1")
          .digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-1 in this JDK", e);
    }
  }

  private static String quoted(String value) {
    return value == null ? "missing" : "\"" + value + "\"";
  }
}
