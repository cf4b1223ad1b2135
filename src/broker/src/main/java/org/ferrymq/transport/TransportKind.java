package org.ferrymq.transport;

/** How a client reached the broker; shown in the admin view and usable in ACLs. */
public enum TransportKind {
  TCP, TLS, WS, WSS, LOCAL;

  public boolean isSecure() {
    return this == TLS || this == WSS;
  }
}
