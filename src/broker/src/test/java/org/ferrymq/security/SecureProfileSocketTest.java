package org.ferrymq.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.ferrymq.config.SecurityConfig;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.security.acl.AclParser;
import org.ferrymq.transport.netty.BoundListener;
import org.ferrymq.transport.netty.ListenerSettings;
import org.ferrymq.transport.netty.MqttServer;
import org.ferrymq.transport.netty.SelfSignedKeyStore;
import org.ferrymq.transport.netty.TlsSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secure profile over real sockets, with the classes the resource adapter wires
 * ({@link BrokerAuthenticator}, the ACL) and a Netty TLS listener. The Liberty integration tests
 * run the dev profile; this test proves what the secure one refuses: anonymous clients (return
 * code 5), plain TCP, and everyone before the registry is installed (return code 3). It also shows
 * that a listener requiring client certificates (NEED) refuses a client without one.
 */
class SecureProfileSocketTest {

  private static final char[] PASSWORD = "secure-test".toCharArray();

  @TempDir
  Path dir;

  private MqttBroker broker;
  private MqttServer server;
  private BrokerAuthenticator authenticator;
  private SSLContext clientTls;

  @BeforeEach
  void start() throws Exception {
    Path keys = dir.resolve("server.p12");
    SelfSignedKeyStore.createIfMissing(keys, PASSWORD, "localhost");
    SecurityConfig config = SecurityConfig.from(key -> Optional.ofNullable(
        Map.of("mqtt.security.profile", "secure").get(key)));
    authenticator = new BrokerAuthenticator(config);
    broker = MqttBroker.builder().authenticator(authenticator)
        .authorizer(AclParser.load(config)).build();
    broker.start();
    server = new MqttServer(broker, Executors.newCachedThreadPool(), 1);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (var in = java.nio.file.Files.newInputStream(keys)) {
      trust.load(in, PASSWORD);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    clientTls = SSLContext.getInstance("TLSv1.3");
    clientTls.init(null, tmf.getTrustManagers(), null);
  }

  @AfterEach
  void stop() {
    server.close();
    broker.stop();
  }

  @Test
  void beforeTheRegistryIsInstalledEveryoneGetsServerUnavailable() throws Exception {
    try (BoundListener tls = server.bind(ListenerSettings.tls("127.0.0.1", 0,
        TlsSettings.fromKeyStore(dir.resolve("server.p12"), PASSWORD)))) {
      // Exercise + Verify: CONNACK return code 3
      assertArrayEquals(new byte[] {0x20, 2, 0, 3}, connack(tlsSocket(tls), null, null));
    }
  }

  @Test
  void anonymousIsRefusedWithReturnCode5AndAUserIsAccepted() throws Exception {
    authenticator.install(new BrokerAuthenticator.Backends(new OneUser(), token -> {
      throw new TokenVerifier.InvalidTokenException("no tokens here");
    }));
    try (BoundListener tls = server.bind(ListenerSettings.tls("127.0.0.1", 0,
        TlsSettings.fromKeyStore(dir.resolve("server.p12"), PASSWORD)))) {
      assertArrayEquals(new byte[] {0x20, 2, 0, 5}, connack(tlsSocket(tls), null, null));
      assertArrayEquals(new byte[] {0x20, 2, 0, 4}, connack(tlsSocket(tls), "alice", "nope"));
      assertArrayEquals(new byte[] {0x20, 2, 0, 0}, connack(tlsSocket(tls), "alice", "right"));
    }
  }

  @Test
  void plainTcpIsRefusedEvenWithGoodCredentials() throws Exception {
    authenticator.install(new BrokerAuthenticator.Backends(new OneUser(), token -> {
      throw new TokenVerifier.InvalidTokenException("no tokens here");
    }));
    try (BoundListener tcp = server.bind(ListenerSettings.tcp("127.0.0.1", 0))) {
      Socket plain = new Socket("127.0.0.1", tcp.port());
      assertArrayEquals(new byte[] {0x20, 2, 0, 5}, connack(plain, "alice", "right"));
    }
  }

  /**
   * The TLS-only rule holds for MQTT 5 enhanced authentication too: the method here would accept
   * anyone, so only the transport can refuse. Paho v5 as the client; the same CONNECT over TLS
   * is accepted (the refusal is the transport's, not the method's).
   */
  @Test
  void enhancedAuthenticationOverPlainTcpIsRefusedBeforeTheExchange() throws Exception {
    broker.stop();
    server.close();
    EnhancedAuthenticator acceptsAnyone = new EnhancedAuthenticator() {
      @Override
      public String method() {
        return "X-ACCEPT-ALL";
      }

      @Override
      public Exchange start(ConnectRequest request) {
        return data -> new AuthStep.Success(new ClientIdentity(request.clientId(), "anyone",
            Set.of()), null);
      }
    };
    SecurityConfig config = SecurityConfig.from(key -> Optional.ofNullable(
        Map.of("mqtt.security.profile", "secure").get(key)));
    broker = MqttBroker.builder().authenticator(authenticator)
        .authorizer(AclParser.load(config)).enhancedAuthenticators(java.util.List.of(
            acceptsAnyone)).build();
    broker.start();
    server = new MqttServer(broker, Executors.newCachedThreadPool(), 1);
    authenticator.install(new BrokerAuthenticator.Backends(new OneUser(), token -> {
      throw new TokenVerifier.InvalidTokenException("no tokens here");
    }));
    try (BoundListener tcp = server.bind(ListenerSettings.tcp("127.0.0.1", 0));
        BoundListener tls = server.bind(ListenerSettings.tls("127.0.0.1", 0,
            TlsSettings.fromKeyStore(dir.resolve("server.p12"), PASSWORD)))) {
      // Exercise + Verify: 0x87 Not authorized over TCP [MQTT-3.2.2-8] ...
      org.eclipse.paho.mqttv5.common.MqttException refused = assertThrows(
          org.eclipse.paho.mqttv5.common.MqttException.class,
          () -> connectV5("tcp://127.0.0.1:" + tcp.port(), null).close());
      assertEquals(0x87, refused.getReasonCode());
      // ... and the same method accepted over TLS
      org.eclipse.paho.mqttv5.client.MqttClient ok = connectV5("ssl://127.0.0.1:" + tls.port(),
          clientTls.getSocketFactory());
      ok.disconnect();
      ok.close();
    }
  }

  private static org.eclipse.paho.mqttv5.client.MqttClient connectV5(String uri,
      javax.net.ssl.SSLSocketFactory tls) throws Exception {
    org.eclipse.paho.mqttv5.client.MqttClient client =
        new org.eclipse.paho.mqttv5.client.MqttClient(uri, "enhanced-" + uri.hashCode(),
            new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    org.eclipse.paho.mqttv5.client.MqttConnectionOptions options =
        new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
    options.setAuthMethod("X-ACCEPT-ALL");
    options.setAuthData(new byte[] {1});
    options.setConnectionTimeout(10);
    if (tls != null) {
      options.setSocketFactory(tls);
      options.setHttpsHostnameVerificationEnabled(false);
    }
    try {
      client.connect(options);
    } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
      client.close();
      throw e;
    }
    return client;
  }

  @Test
  void requiredClientCertificateRefusesAClientWithoutOne() throws Exception {
    Path trust = dir.resolve("trust.p12");
    SelfSignedKeyStore.createIfMissing(dir.resolve("some-ca.p12"), PASSWORD, "some-ca");
    KeyStore ca = KeyStore.getInstance("PKCS12");
    try (var in = java.nio.file.Files.newInputStream(dir.resolve("some-ca.p12"))) {
      ca.load(in, PASSWORD);
    }
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("ca", ca.getCertificate(SelfSignedKeyStore.ALIAS));
    try (var out = java.nio.file.Files.newOutputStream(trust)) {
      trusted.store(out, PASSWORD);
    }
    TlsSettings need = TlsSettings.fromKeyStore(dir.resolve("server.p12"), PASSWORD)
        .withClientAuth(trust, PASSWORD, TlsSettings.ClientAuth.NEED);
    try (BoundListener tls = server.bind(ListenerSettings.tls("127.0.0.1", 0, need))) {
      // Exercise + Verify: the handshake fails (TLS 1.3 reports it on the first read)
      assertThrows(IOException.class, () -> connack(tlsSocket(tls), null, null));
    }
  }

  private Socket tlsSocket(BoundListener listener) throws IOException {
    SSLSocket socket = (SSLSocket) clientTls.getSocketFactory().createSocket();
    socket.connect(new InetSocketAddress("127.0.0.1", listener.port()), 5_000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Sends an MQTT 3.1.1 CONNECT and returns the four CONNACK bytes. */
  static byte[] connack(Socket socket, String user, String password) throws IOException {
    try (socket) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(connect("secure-test", user, password));
      byte[] ack = new byte[4];
      new DataInputStream(socket.getInputStream()).readFully(ack);
      return ack;
    }
  }

  static byte[] connect(String clientId, String user, String password) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4});
    int flags = 0x02 | (user != null ? 0x80 : 0) | (password != null ? 0x40 : 0);
    body.write(flags);
    body.writeBytes(new byte[] {0, 30});
    string(body, clientId);
    if (user != null) {
      string(body, user);
    }
    if (password != null) {
      string(body, password);
    }
    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    packet.write(0x10);
    packet.write(body.size());
    packet.writeBytes(body.toByteArray());
    return packet.toByteArray();
  }

  private static void string(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b.length >> 8);
    out.write(b.length);
    out.writeBytes(b);
  }

  /** A directory with alice/right in group readers. */
  private static final class OneUser implements UserDirectory {
    @Override
    public Optional<Account> authenticate(String user, char[] password) {
      return user.equals("alice") && new String(password).equals("right")
          ? Optional.of(new Account("alice", Set.of("readers"))) : Optional.empty();
    }

    @Override
    public Set<String> groupsOf(String user) {
      return Set.of();
    }
  }
}
