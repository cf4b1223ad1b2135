package org.ferrymq.transport.netty;

import io.netty.handler.ssl.ClientAuth;
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
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/** Builds the server-side Netty TLS context from {@link TlsSettings}; stateless. */
final class SslContexts {

  private SslContexts() {
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
