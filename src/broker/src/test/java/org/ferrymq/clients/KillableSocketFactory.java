package org.ferrymq.clients;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.SocketFactory;

/**
 * Hands client libraries plain sockets and keeps them, so a test can cut the network under a
 * connected client without the client sending DISCONNECT.
 */
final class KillableSocketFactory extends SocketFactory {

  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  @Override
  public Socket createSocket() {
    Socket socket = new Socket();
    sockets.add(socket);
    return socket;
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
      int localPort) throws IOException {
    return connected(new InetSocketAddress(address, port));
  }

  private Socket connected(InetSocketAddress address) throws IOException {
    Socket socket = createSocket();
    socket.connect(address);
    return socket;
  }

  /**
   * Closes every socket handed out.
   *
   * @param reset {@code true} to send a TCP RST (linger 0), {@code false} for an orderly FIN
   */
  void kill(boolean reset) throws IOException {
    if (sockets.isEmpty()) {
      throw new IllegalStateException("the client never asked for a socket");
    }
    for (Socket socket : sockets) {
      if (reset) {
        try {
          socket.setSoLinger(true, 0);
        } catch (SocketException alreadyClosed) {
          // closing below is still right
        }
      }
      socket.close();
    }
  }
}
