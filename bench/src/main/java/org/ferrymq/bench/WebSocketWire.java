package org.ferrymq.bench;

import java.io.IOException;
import java.net.Socket;

/**
 * MQTT over WebSocket (subprotocol {@code mqtt}, RFC 6455) on a blocking socket, as lean as
 * {@link SocketWire}: each {@link #write} is one masked binary frame that may hold several
 * packets, and {@link #read} hands out the payload of the server's binary frames as one byte
 * stream. No threads, futures or per-frame copies beyond the one into the send buffer (which
 * masking needs anyway) and the one out of the receive buffer.
 */
final class WebSocketWire implements Wire {
  private static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  private final Socket socket;
  private final WebSocketFrameWriter writer;
  private final WebSocketFrameReader reader;

  private WebSocketWire(Socket socket) throws IOException {
    this.socket = socket;
    this.writer = new WebSocketFrameWriter(socket.getOutputStream());
    this.reader = new WebSocketFrameReader(socket.getInputStream(), writer);
  }

  /**
   * Connects and performs the opening handshake.
   *
   * @param path HTTP path of the endpoint, e.g. {@code /mqtt}
   * @param tls wss: TLS first (any server certificate is accepted)
   */
  static WebSocketWire open(String host, int port, String path, boolean tls) throws IOException {
    Socket socket = SocketWire.connect(host, port, null, tls);
    try {
      socket.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
      WebSocketWire wire = new WebSocketWire(socket);
      WebSocketHandshake.perform(socket.getOutputStream(), wire.reader, host, port, path);
      socket.setSoTimeout(0);
      return wire;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  @Override
  public void readTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  @Override
  public void write(byte[] bytes, int off, int len) throws IOException {
    writer.send(WebSocketFrameWriter.BINARY, bytes, off, len);
  }

  @Override
  public int read(byte[] into, int off, int len) throws IOException {
    return reader.read(into, off, len);
  }

  /** Sends a Close frame if that does not have to wait, then closes the socket. */
  @Override
  public void close() {
    writer.tryClose();
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a benchmark connection: nothing left to do with it
    }
  }
}
