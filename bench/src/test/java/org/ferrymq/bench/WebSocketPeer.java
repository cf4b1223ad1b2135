package org.ferrymq.bench;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The server side of one WebSocket connection, written out by hand for the tests, independent
 * of the code under test: it reads the upgrade request, answers it, decodes the client's
 * (masked) frames byte by byte and sends raw server frames.
 */
final class WebSocketPeer implements AutoCloseable {
  /** One frame as it came from the client. */
  record Frame(int firstByte, boolean masked, int length7, byte[] mask, byte[] payload) {
    int opcode() {
      return firstByte & 0x0F;
    }

    boolean fin() {
      return (firstByte & 0x80) != 0;
    }
  }

  private final ServerSocket server;
  private final ExecutorService client = Executors.newSingleThreadExecutor();
  private Socket socket;
  private DataInputStream in;
  private OutputStream out;
  /** The client's request head, lines separated by CRLF. */
  String request;

  WebSocketPeer() throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    server.setSoTimeout(10_000);
  }

  int port() {
    return server.getLocalPort();
  }

  /** Opens a {@link WebSocketWire} to this peer on another thread (the handshake blocks). */
  Future<WebSocketWire> open() {
    return client.submit(() -> WebSocketWire.open("127.0.0.1", port(), "/mqtt", false));
  }

  /** Runs {@code task} on the client's thread, e.g. a read that must not block the test. */
  <T> Future<T> onClient(java.util.concurrent.Callable<T> task) {
    return client.submit(task);
  }

  /** Accepts the connection and reads the request head. */
  String accept() throws IOException {
    socket = server.accept();
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      head.write(in.readUnsignedByte());
    }
    request = head.toString(StandardCharsets.ISO_8859_1);
    return request;
  }

  /** @return the value of a request header, or {@code null} */
  String requestHeader(String name) {
    for (String line : request.split("\r\n")) {
      if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
        return line.substring(name.length() + 1).trim();
      }
    }
    return null;
  }

  /** @return the Sec-WebSocket-Accept value for the request's key, computed per RFC 6455 */
  String expectedAccept() throws Exception {
    byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((requestHeader("Sec-WebSocket-Key")
        + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1));
    return Base64.getEncoder().encodeToString(sha1);
  }

  /** Answers with 101, the correct accept value and subprotocol mqtt. */
  void accept101() throws Exception {
    respond("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + expectedAccept() + "\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n");
  }

  void respond(String head) throws IOException {
    send(head.getBytes(StandardCharsets.ISO_8859_1));
  }

  void send(byte[]... chunks) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] c : chunks) {
      all.writeBytes(c);
    }
    out.write(all.toByteArray());
    out.flush();
  }

  /** @return an unmasked server frame */
  static byte[] frame(int firstByte, byte[] payload) {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write(firstByte);
    int n = payload.length;
    if (n < 126) {
      f.write(n);
    } else if (n <= 0xFFFF) {
      f.write(126);
      f.write(n >>> 8);
      f.write(n);
    } else {
      f.write(127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        f.write((int) ((long) n >>> shift));
      }
    }
    f.writeBytes(payload);
    return f.toByteArray();
  }

  static byte[] frame(int firstByte, String payload) {
    return frame(firstByte, payload.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Reads one client frame and unmasks its payload. */
  Frame readFrame() throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    int length7 = b1 & 0x7F;
    long length = length7 == 126 ? in.readUnsignedShort() : length7 == 127 ? in.readLong()
        : length7;
    byte[] mask = new byte[4];
    boolean masked = (b1 & 0x80) != 0;
    if (masked) {
      in.readFully(mask);
    }
    byte[] payload = new byte[Math.toIntExact(length)];
    in.readFully(payload);
    for (int i = 0; i < payload.length; i++) {
      payload[i] ^= mask[i % 4];
    }
    return new Frame(b0, masked, length7, mask, payload);
  }

  /** Closes the server's side of the TCP connection. */
  void hangUp() throws IOException {
    socket.close();
  }

  @Override
  public void close() throws IOException {
    client.shutdownNow();
    if (socket != null) {
      socket.close();
    }
    server.close();
  }
}
