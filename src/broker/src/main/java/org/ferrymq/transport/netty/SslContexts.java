package org.ferrymq.transport.netty;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.Collections;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the server-side Netty TLS context from a {@link TlsSource}: once at bind from key store
 * files, or from the host's SSL configuration, rebuilt when the host hands out a new context.
 */
final class SslContexts {

  private SslContexts() {
  }

  /**
   * @return the contexts a listener uses: fixed for key store files, following the host for
   *     its SSL configuration
   * @throws IOException naming the store or configuration that cannot be used now
   */
  static Supplier<SslContext> forListener(TlsSource tls) throws IOException {
    if (tls instanceof TlsSettings files) {
      SslContext fixed = forServer(files);
      return () -> fixed;
    }
    Following following = new Following((ServerSslConfig) tls);
    following.get(); // fails the bind, not the first handshake, when nothing is configured
    return following;
  }

  /** The host's current context, wrapped for Netty once per context the host hands out. */
  private static final class Following implements Supplier<SslContext> {
    private final ServerSslConfig config;
    private SSLContext lastJdk;
    private SslContext lastNetty;

    Following(ServerSslConfig config) {
      this.config = config;
    }

    @Override
    public synchronized SslContext get() {
      SSLContext current = config.contexts().get();
      if (current != lastJdk) {
        lastNetty = new JdkSslContext(current, false, config.ciphers(),
            SupportedCipherSuiteFilter.INSTANCE, ApplicationProtocolConfig.DISABLED,
            switch (config.clientAuth()) {
              case NONE -> ClientAuth.NONE;
              case WANT -> ClientAuth.OPTIONAL;
              case NEED -> ClientAuth.REQUIRE;
            }, config.protocols().toArray(String[]::new), false);
        lastJdk = current;
      }
      return lastNetty;
    }
  }

  /**
   * Loads the key material now, so a bad path or password fails the bind instead of every
   * handshake.
   *
   * @return a JDK-provider context limited to the configured protocols
   * @throws IOException naming the store that cannot be read or used
   */
  static SslContext forServer(TlsSettings tls) throws IOException {
    char[] keyPassword = tls.keyStorePassword();
    char[] trustPassword = tls.trustStorePassword();
    try {
      KeyStore keys = load(tls.keyStore(), tls.keyStoreType(), keyPassword);
      if (Collections.list(keys.aliases()).stream().noneMatch(alias -> isKeyEntry(keys, alias))) {
        throw new IOException("Key store " + tls.keyStore() + " holds no private key");
      }
      KeyManagerFactory keyManagers =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, keyPassword);
      SslContextBuilder builder = SslContextBuilder.forServer(keyManagers)
          .sslProvider(SslProvider.JDK)
          .protocols(tls.protocols())
          .ciphers(TlsSettings.MODERN_CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .clientAuth(switch (tls.clientAuth()) {
            case NONE -> ClientAuth.NONE;
            case WANT -> ClientAuth.OPTIONAL;
            case NEED -> ClientAuth.REQUIRE;
          });
      if (tls.trustStore() != null) {
        TrustManagerFactory trustManagers =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(load(tls.trustStore(), tls.trustStoreType(), trustPassword));
        builder.trustManager(trustManagers);
      }
      return builder.build();
    } catch (GeneralSecurityException e) {
      throw new IOException("Cannot use key store " + tls.keyStore() + ": " + e.getMessage(), e);
    } finally {
      Arrays.fill(keyPassword, '\0');
      Arrays.fill(trustPassword, '\0');
    }
  }

  private static KeyStore load(Path path, String type, char[] password)
      throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(type);
    try (InputStream in = Files.newInputStream(path)) {
      store.load(in, password);
    } catch (IOException e) {
      throw new IOException("Cannot read " + type + " store " + path + ": " + e.getMessage(), e);
    }
    return store;
  }

  private static boolean isKeyEntry(KeyStore store, String alias) {
    try {
      return store.isKeyEntry(alias);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
