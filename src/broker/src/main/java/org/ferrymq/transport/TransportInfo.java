package org.ferrymq.transport;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * Facts about a connection that the engine and the security SPI may use.
 *
 * @param kind how the client connected
 * @param remoteAddress the peer address, {@code null} for in-process connections
 * @param peerCertificates the verified client certificate chain, empty when none was presented
 */
public record TransportInfo(TransportKind kind, InetSocketAddress remoteAddress,
    List<X509Certificate> peerCertificates) {

  public TransportInfo {
    Objects.requireNonNull(kind, "kind");
    peerCertificates = peerCertificates == null ? List.of() : List.copyOf(peerCertificates);
  }

  public TransportInfo(TransportKind kind, InetSocketAddress remoteAddress) {
    this(kind, remoteAddress, List.of());
  }
}
