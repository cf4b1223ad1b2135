package it.org.ferrymq;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.Collections;
import java.util.Optional;

/** Which interfaces a port of the server listens on, seen by connecting to them. */
final class ListeningInterfaces {

  private ListeningInterfaces() {
  }

  /** @return an IPv4 address of this machine that is not loopback, if it has one */
  static Optional<InetAddress> externalAddress() throws SocketException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }

  /** @return whether a TCP connection to {@code address:port} is accepted */
  static boolean accepts(InetAddress address, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 5000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }
}
