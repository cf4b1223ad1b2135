package org.ferrymq.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocket;

/** TCP or TLS over a blocking {@link Socket}; Nagle is off because the caller batches. */
final class SocketWire implements Wire {
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private SocketWire(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /**
   * Opens a connection.
   *
   * @param localAddress source address to bind (a 127.0.0.x address when ports run out), or
   *     {@code null} for the default
   * @param tls whether to wrap the socket in TLS (any server certificate is accepted)
   */
  static SocketWire open(String host, int port, String localAddress, boolean tls)
      throws IOException {
    return new SocketWire(connect(host, port, localAddress, tls));
  }

  /**
   * Connects a blocking socket with Nagle off, TLS-handshaken when {@code tls}; also the
   * transport under {@link WebSocketWire}.
   */
  static Socket connect(String host, int port, String localAddress, boolean tls)
      throws IOException {
    Socket plain = new Socket();
    try {
      plain.setTcpNoDelay(true);
      if (localAddress != null) {
        // ports of the previous run's connections may still be in TIME_WAIT
        plain.setReuseAddress(true);
        plain.bind(new InetSocketAddress(localAddress, 0));
      }
      plain.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
      if (!tls) {
        return plain;
      }
      SSLSocket ssl = (SSLSocket) TrustAll.context().getSocketFactory()
          .createSocket(plain, host, port, true);
      ssl.startHandshake();
      return ssl;
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  @Override
  public void readTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  @Override
  public void write(byte[] bytes, int off, int len) throws IOException {
    out.write(bytes, off, len);
  }

  @Override
  public int read(byte[] into, int off, int len) throws IOException {
    return in.read(into, off, len);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a benchmark connection: nothing left to do with it
    }
  }
}
