package org.ferrymq.transport.netty;

/**
 * Where a TLS listener gets its key material and policy: key store files read at bind
 * ({@link TlsSettings}), or the application server's SSL configuration asked again for every new
 * connection ({@link ServerSslConfig}), so that a renewed certificate is served without a
 * restart.
 */
public sealed interface TlsSource permits TlsSettings, ServerSslConfig {
}
