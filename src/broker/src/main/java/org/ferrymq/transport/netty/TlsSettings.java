package org.ferrymq.transport.netty;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Key material and policy for a TLS listener. Passwords are copied on the way in and out, and
 * never appear in {@link #toString()}.
 *
 * @param keyStore the server's key store holding one private key and its certificate chain
 * @param keyStorePassword the password of the key store and of its key
 * @param keyStoreType {@code PKCS12} or {@code JKS}
 * @param trustStore the certificates trusted to sign client certificates; {@code null} when
 *     clients are not asked for one
 * @param trustStorePassword the trust store's password, may be empty
 * @param trustStoreType {@code PKCS12} or {@code JKS}
 * @param clientAuth whether a client certificate is ignored, requested or required
 * @param protocols the enabled TLS versions, a non-empty subset of {@code TLSv1.3, TLSv1.2}
 */
public record TlsSettings(Path keyStore, char[] keyStorePassword, String keyStoreType,
    Path trustStore, char[] trustStorePassword, String trustStoreType, ClientAuth clientAuth,
    List<String> protocols) implements TlsSource {

  /** Whether the server asks the client for a certificate during the handshake. */
  public enum ClientAuth {
    /** No certificate is requested. */
    NONE,
    /** A certificate is requested; the handshake succeeds without one. */
    WANT,
    /** A certificate is required; the handshake fails without a trusted one. */
    NEED
  }

  /** The protocols enabled unless configured otherwise; older ones are never allowed. */
  public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /**
   * The cipher suites offered: TLS 1.3's AEAD suites and, for TLS 1.2, ECDHE key exchange with
   * AES-GCM or ChaCha20-Poly1305 only (forward secrecy, no CBC, no RSA key exchange). Suites the
   * JDK does not support are skipped.
   */
  public static final List<String> MODERN_CIPHERS = List.of(
      "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private static final Set<String> STORE_TYPES = Set.of("PKCS12", "JKS");

  public TlsSettings {
    Objects.requireNonNull(keyStore, "keyStore");
    keyStorePassword = copy(keyStorePassword);
    keyStoreType = storeType(keyStoreType, keyStore);
    clientAuth = clientAuth == null ? ClientAuth.NONE : clientAuth;
    if (clientAuth != ClientAuth.NONE && trustStore == null) {
      throw new IllegalArgumentException("client authentication " + clientAuth
          + " needs a trust store for the client certificates' issuers");
    }
    trustStorePassword = copy(trustStorePassword);
    trustStoreType = trustStore == null ? null : storeType(trustStoreType, trustStore);
    protocols = protocols == null || protocols.isEmpty() ? DEFAULT_PROTOCOLS
        : List.copyOf(protocols);
    for (String protocol : protocols) {
      if (!DEFAULT_PROTOCOLS.contains(protocol)) {
        throw new IllegalArgumentException(
            "unsupported TLS protocol " + protocol + ", allowed: " + DEFAULT_PROTOCOLS);
      }
    }
  }

  /**
   * Settings for server authentication only, with the default protocols.
   *
   * @param keyStore a PKCS12 file, or a JKS file when its name ends in {@code .jks}
   * @param password the password of the key store and of its key
   * @return settings that request no client certificate
   */
  public static TlsSettings fromKeyStore(Path keyStore, char[] password) {
    return new TlsSettings(keyStore, password, null, null, null, null, ClientAuth.NONE, null);
  }

  /**
   * @param trustStore the issuers trusted for client certificates; its type follows its name
   *     like in {@link #fromKeyStore(Path, char[])}
   * @param password the trust store's password
   * @param mode {@link ClientAuth#WANT} or {@link ClientAuth#NEED}
   * @return a copy that requests client certificates
   */
  public TlsSettings withClientAuth(Path trustStore, char[] password, ClientAuth mode) {
    return new TlsSettings(keyStore, keyStorePassword, keyStoreType, trustStore, password, null,
        mode, protocols);
  }

  /**
   * @param enabled a non-empty subset of {@link #DEFAULT_PROTOCOLS}
   * @return a copy with other protocols enabled
   */
  public TlsSettings withProtocols(List<String> enabled) {
    return new TlsSettings(keyStore, keyStorePassword, keyStoreType, trustStore,
        trustStorePassword, trustStoreType, clientAuth, enabled);
  }

  /** @return a copy of the key store password */
  @Override
  public char[] keyStorePassword() {
    return keyStorePassword.clone();
  }

  /** @return a copy of the trust store password */
  @Override
  public char[] trustStorePassword() {
    return trustStorePassword.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TlsSettings t
        && keyStore.equals(t.keyStore)
        && Arrays.equals(keyStorePassword, t.keyStorePassword)
        && keyStoreType.equals(t.keyStoreType)
        && Objects.equals(trustStore, t.trustStore)
        && Arrays.equals(trustStorePassword, t.trustStorePassword)
        && Objects.equals(trustStoreType, t.trustStoreType)
        && clientAuth == t.clientAuth
        && protocols.equals(t.protocols);
  }

  @Override
  public int hashCode() {
    return Objects.hash(keyStore, Arrays.hashCode(keyStorePassword), keyStoreType, trustStore,
        Arrays.hashCode(trustStorePassword), trustStoreType, clientAuth, protocols);
  }

  @Override
  public String toString() {
    return "TlsSettings[keyStore=" + keyStore + " (" + keyStoreType + "), trustStore="
        + (trustStore == null ? "none" : trustStore + " (" + trustStoreType + ")")
        + ", clientAuth=" + clientAuth + ", protocols=" + protocols + "]";
  }

  private static char[] copy(char[] password) {
    return password == null ? new char[0] : password.clone();
  }

  private static String storeType(String type, Path store) {
    if (type == null || type.isBlank()) {
      String name = String.valueOf(store.getFileName()).toLowerCase(Locale.ROOT);
      return name.endsWith(".jks") ? "JKS" : "PKCS12";
    }
    String upper = type.toUpperCase(Locale.ROOT);
    if (!STORE_TYPES.contains(upper)) {
      throw new IllegalArgumentException(
          "unsupported key store type " + type + ", allowed: PKCS12, JKS");
    }
    return upper;
  }
}
