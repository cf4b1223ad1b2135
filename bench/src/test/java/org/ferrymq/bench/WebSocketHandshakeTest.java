package org.ferrymq.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The opening handshake's checks, over a socket and on response heads alone. */
class WebSocketHandshakeTest {
  private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
  private static final String OK_HEAD = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
      + "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
      + "Sec-WebSocket-Protocol: mqtt";

  @Test
  void acceptValueIsTheRfcExample() {
    // RFC 6455 section 1.3
    assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.accept(KEY));
  }

  @Test
  void acceptsAProperResponseWithHeadersInAnyCase() {
    assertNull(WebSocketHandshake.problem(OK_HEAD, KEY));
    assertNull(WebSocketHandshake.problem("HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
        + "upgrade: WebSocket\r\nCONNECTION: keep-alive, upgrade\r\n"
        + "sec-websocket-accept:s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-Websocket-Protocol:  mqtt ",
        KEY));
  }

  @Test
  void namesWhatIsWrongInTheResponse() {
    assertProblem("Upgrade header", OK_HEAD.replace("Upgrade: websocket", "Upgrade: h2c"));
    assertProblem("Connection header", OK_HEAD.replace("Connection: Upgrade", "Connection: close"));
    assertProblem("subprotocol \"mqttv3.1\"", OK_HEAD.replace("mqtt", "mqttv3.1"));
    assertProblem("extensions", OK_HEAD + "\r\nSec-WebSocket-Extensions: permessage-deflate");
  }

  @Test
  void non101StatusFailsWithTheStatusLine() throws Exception {
    String message = failingHandshake("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");

    assertTrue(message.contains("expected status 101"), message);
    assertTrue(message.contains("HTTP/1.1 404 Not Found"), message);
    assertTrue(message.contains("/mqtt"), message);
  }

  @Test
  void wrongAcceptFails() throws Exception {
    String message = failingHandshake(OK_HEAD + "\r\n\r\n");

    assertTrue(message.contains("Sec-WebSocket-Accept is \"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\""),
        message);
  }

  @Test
  void missingSubprotocolFails() throws Exception {
    String message = failingHandshake(peer -> peer.respond("HTTP/1.1 101 Switching Protocols\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
        + peer.expectedAccept() + "\r\n\r\n"));

    assertTrue(message.contains("subprotocol missing"), message);
  }

  @Test
  void connectionClosedDuringTheHandshakeFails() throws Exception {
    String message = failingHandshake(peer -> {
      peer.respond("HTTP/1.1 101 Switching");
      peer.hangUp();
    });

    assertTrue(message.contains("closed before the end of the response head"), message);
  }

  @Test
  void framesRightAfterTheResponseAreKept() throws Exception {
    try (WebSocketPeer peer = new WebSocketPeer()) {
      Future<WebSocketWire> opening = peer.open();
      peer.accept();
      peer.send(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: " + peer.expectedAccept() + "\r\nSec-WebSocket-Protocol: mqtt"
          + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
          WebSocketPeer.frame(0x82, "first"));

      try (WebSocketWire wire = opening.get(10, TimeUnit.SECONDS)) {
        byte[] into = new byte[10];
        assertEquals(5, wire.read(into, 0, 10));
        assertEquals("first", new String(into, 0, 5, StandardCharsets.ISO_8859_1));
      }
    }
  }

  private static void assertProblem(String expected, String head) {
    String problem = WebSocketHandshake.problem(head, KEY);
    assertTrue(problem != null && problem.contains(expected), head + " -> " + problem);
  }

  /** How the server answers the upgrade request. */
  private interface Answer {
    void give(WebSocketPeer peer) throws Exception;
  }

  private static String failingHandshake(String head) throws Exception {
    return failingHandshake(peer -> peer.respond(head));
  }

  /** @return the message of the IOException the handshake fails with after {@code answer} */
  private static String failingHandshake(Answer answer) throws Exception {
    try (WebSocketPeer peer = new WebSocketPeer()) {
      Future<WebSocketWire> opening = peer.open();
      peer.accept();
      answer.give(peer);
      return failure(opening);
    }
  }

  private static String failure(Future<WebSocketWire> opening) throws Exception {
    try {
      opening.get(10, TimeUnit.SECONDS).close();
      return fail("the handshake succeeded");
    } catch (ExecutionException e) {
      assertTrue(e.getCause() instanceof IOException, e.getCause().toString());
      String message = e.getCause().getMessage();
      assertTrue(message.startsWith("WebSocket handshake with 127.0.0.1:"), message);
      return message;
    }
  }
}
