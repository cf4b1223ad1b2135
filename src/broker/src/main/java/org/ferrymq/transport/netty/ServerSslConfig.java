package org.ferrymq.transport.netty;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * TLS from an SSL configuration the host owns (Liberty's {@code <ssl>} and {@code <keyStore>}):
 * the listener asks {@code contexts} for the current {@link SSLContext} on every new connection
 * and builds a new Netty context only when the host hands out a different one, which it does
 * after it reloaded a renewed key store. One configuration then serves HTTPS and MQTT alike.
 *
 * @param name names the configuration in logs and errors
 * @param contexts the host's current context; may throw {@link IllegalStateException} naming
 *     the problem while the configuration is not available
 * @param clientAuth whether a client certificate is ignored, requested or required (the trust
 *     comes from the context)
 * @param protocols the enabled TLS versions, a non-empty subset of {@code TLSv1.3, TLSv1.2}
 * @param ciphers the enabled cipher suites; unsupported ones are skipped, empty for
 *     {@link TlsSettings#MODERN_CIPHERS}
 */
public record ServerSslConfig(String name, Supplier<SSLContext> contexts,
    TlsSettings.ClientAuth clientAuth, List<String> protocols, List<String> ciphers)
    implements TlsSource {

  public ServerSslConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(contexts, "contexts");
    clientAuth = clientAuth == null ? TlsSettings.ClientAuth.NONE : clientAuth;
    protocols = protocols == null || protocols.isEmpty() ? TlsSettings.DEFAULT_PROTOCOLS
        : List.copyOf(protocols);
    for (String protocol : protocols) {
      if (!TlsSettings.DEFAULT_PROTOCOLS.contains(protocol)) {
        throw new IllegalArgumentException("SSL configuration " + name
            + " enables TLS protocol " + protocol + "; the MQTT listeners allow only "
            + TlsSettings.DEFAULT_PROTOCOLS);
      }
    }
    ciphers = ciphers == null || ciphers.isEmpty() ? TlsSettings.MODERN_CIPHERS
        : List.copyOf(ciphers);
  }
}
