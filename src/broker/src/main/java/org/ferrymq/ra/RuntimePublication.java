package org.ferrymq.ra;

/**
 * Publishes the started broker to the web module and withdraws it: {@link BrokerRuntime} (the
 * broker, its listeners and store) and {@link SecurityRuntime} (the authenticator the web module
 * completes, the security settings, the WebSocket origin policy) always change together, so the
 * web module never sees a broker without its security or the other way round.
 */
final class RuntimePublication {

  private RuntimePublication() {
  }

  /** Makes the broker and its security visible, security first: a client may connect at once. */
  static void publish(BrokerSecurity security, BrokerRuntime.Running running) {
    SecurityRuntime.started(security.authenticator(), security.config(), security.origins());
    BrokerRuntime.started(running);
  }

  /** Withdraws both; for stop and for the server's early release of the loops. */
  static void withdraw() {
    BrokerRuntime.stopped();
    SecurityRuntime.stopped();
  }

  /** Withdraws both and records why the adapter did not start, for the readiness check. */
  static void failed(String reason) {
    SecurityRuntime.stopped();
    BrokerRuntime.failed(reason);
  }
}
